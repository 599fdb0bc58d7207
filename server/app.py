"""The Flask application factory.

Configuration arrives as one :class:`~core.settings.Settings`. In embedded mode the queries go to the
evaluation service (:mod:`server.evaluators`), which ``kg serve`` starts once and shares between its HTTP
workers (:mod:`server.runner`): each worker builds its app with that service's client and the dataset
description the service reported. Called without them, the factory starts a service of its own, so the
app also runs under any other WSGI server. In remote mode (``settings.store``) every query goes to that
SPARQL store.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask

from core.settings import Settings
from server.backend import Backend, BackendLimits, PoolUnavailable
from server.blueprints import dumps, meta, pages, queries, sparql
from server.cache import CachingBackend, ResponseCache
from server.cors import init_cors
from server.dataset import DatasetInfo
from server.errors import register_error_handlers
from server.remote.backend import RemoteBackend
from server.state import ServerState, attach_state

if TYPE_CHECKING:
    from server.runner import EvaluationService

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, backend: Backend | None = None, info: DatasetInfo | None = None
) -> Flask:
    """Build the application for ``settings`` (defaults when omitted).

    ``backend`` and ``info``: the evaluation service's client and what it loaded (``kg serve`` passes
    them); without them, embedded mode starts a service for this app alone.
    """
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, MAX_FORM_MEMORY_SIZE=settings.max_body_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if settings.store is not None:
        remote = RemoteBackend(
            settings.store,
            BackendLimits.from_settings(settings),
            settings.store_refresh,
            settings.base_iri,
            settings.build_dir,
        )
        backend, info = remote, _first_look(remote, settings)
    elif backend is None or info is None:
        backend, info = _own_service(settings)
    cache = ResponseCache(info.version, settings.cache_bytes) if settings.cache_bytes > 0 else None
    state = ServerState(settings=settings, info=info, backend=CachingBackend(backend, cache))
    attach_state(app, state)
    if isinstance(backend, RemoteBackend):
        remote_backend = backend
        app.before_request(lambda: _follow_store(state, remote_backend))
    register_error_handlers(app)
    init_cors(app)
    for blueprint in (sparql.blueprint, meta.blueprint, dumps.blueprint):
        app.register_blueprint(blueprint)
    queries.init_app(app, settings.queries_dir, info.base_iri or settings.base_iri)
    pages.init_app(app)
    return app


def _own_service(settings: Settings) -> tuple[Backend, DatasetInfo]:
    """Start an evaluation service owned by this process, stopped when it exits."""
    from server.runner import EvaluationService

    directory = Path(tempfile.mkdtemp(prefix="kg-app-"))
    service = EvaluationService(settings, directory)
    info = service.start()
    service.supervise()
    atexit.register(_stop_service, service, directory)
    return service.client(), info


def _stop_service(service: EvaluationService, directory: Path) -> None:
    service.stop()
    shutil.rmtree(directory, ignore_errors=True)


def _first_look(backend: RemoteBackend, settings: Settings) -> DatasetInfo:
    """The store's dataset, or an empty placeholder when the store is not there yet (replicas may start
    before their store; requests then get 503 until it answers, and ``/health`` says so)."""
    try:
        return backend.info()
    except PoolUnavailable as error:
        log.warning("%s; serving 503 until it answers", error.message)
        return DatasetInfo(version="", base_iri=settings.base_iri, triples=0, graphs=())
    finally:
        backend.close()  # no connection made here may be inherited by forked HTTP workers


def _follow_store(state: ServerState, backend: RemoteBackend) -> None:
    """Before each request: pick up a new publish (new version: new description, empty answer cache)."""
    try:
        info = backend.info()
    except PoolUnavailable:
        return  # the views report the store's state; /health too
    if info.version != state.info.version:
        state.info = info
        if state.backend.cache is not None:
            state.backend.cache.reset(info.version)
