"""The Flask application factory.

Configuration arrives as one :class:`~server.settings.Settings`; the dataset is loaded here unless the
caller passes one (tests do), or read from the remote store in remote mode. The backend is created but not
started: the evaluator pool must be forked from a single-threaded process, which the WSGI runner arranges
(see :mod:`server.runner`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask

from server.backend import Backend
from server.blueprints import dumps, meta, pages, queries, sparql
from server.cache import CachingBackend, ResponseCache
from server.cors import init_cors
from server.dataset import DatasetInfo, LoadedDataset, load_dataset
from server.errors import register_error_handlers
from server.pool import EvaluatorPool, PoolOptions, PoolUnavailable
from server.remote.backend import RemoteBackend
from server.settings import Settings
from server.state import ServerState, attach_state, get_state

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, dataset: LoadedDataset | None = None) -> Flask:
    """Build the application for ``settings`` (defaults when omitted).

    With ``settings.store`` the application is a stateless front of that SPARQL store (no data is loaded
    and no evaluator forked); otherwise it serves the build (or ``--data``) from the embedded store.
    """
    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, MAX_FORM_MEMORY_SIZE=settings.max_body_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    options = PoolOptions(
        size=settings.workers,
        deadline=settings.query_timeout,
        queue_size=settings.queue_size,
        retry_after=settings.retry_after,
        memory_mb=settings.worker_memory_mb,
        isolate_network=settings.isolate_network,
    )
    backend: Backend
    if settings.store is not None:
        backend = RemoteBackend(settings.store, options, settings.store_refresh, settings.base_iri, settings.build_dir)
        info = _first_look(backend, settings)
    else:
        dataset = dataset or load_dataset(settings)
        backend, info = EvaluatorPool(dataset.store, options), dataset.info
    cache = ResponseCache(info.version, settings.cache_bytes) if settings.cache_bytes > 0 else None
    state = ServerState(settings=settings, info=info, pool=CachingBackend(backend, cache))
    attach_state(app, state)
    if isinstance(backend, RemoteBackend):
        app.before_request(lambda: _follow_store(state, backend))
    register_error_handlers(app)
    init_cors(app)
    for blueprint in (sparql.blueprint, meta.blueprint, dumps.blueprint):
        app.register_blueprint(blueprint)
    queries.init_app(app, settings.queries_dir, info.base_iri or settings.base_iri)
    pages.init_app(app)
    return app


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
        if isinstance(state.pool, CachingBackend) and state.pool.cache is not None:
            state.pool.cache.reset(info.version)


def start_pool(app: Flask, on_broken: Callable[[], None] | None = None) -> None:
    """Fork the evaluators of ``app``; call once per serving process, before it starts threads.

    ``on_broken``: what to do if the pool can no longer replace its evaluators (replace this process).
    """
    get_state(app).pool.start(on_broken)


def stop_pool(app: Flask) -> None:
    get_state(app).pool.close()
