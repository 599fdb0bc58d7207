"""The Flask application factory.

Configuration arrives as one :class:`~server.settings.Settings`; the dataset is loaded here unless the
caller passes one (tests do). The evaluator pool is created but not started: it must be forked from a
single-threaded process, which the WSGI runner arranges (see :mod:`server.runner`).
"""

from __future__ import annotations

from flask import Flask

from server.blueprints import dumps, meta, pages, queries, sparql
from server.cache import CachingPool, ResponseCache
from server.cors import init_cors
from server.dataset import LoadedDataset, load_dataset
from server.errors import register_error_handlers
from server.pool import PoolOptions
from server.settings import Settings
from server.state import ServerState, attach_state, get_state


def create_app(settings: Settings | None = None, dataset: LoadedDataset | None = None) -> Flask:
    """Build the application for ``settings`` (defaults when omitted)."""
    settings = settings or Settings()
    dataset = dataset or load_dataset(settings)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, MAX_FORM_MEMORY_SIZE=settings.max_body_bytes)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    cache = ResponseCache(dataset.info.version, settings.cache_bytes) if settings.cache_bytes > 0 else None
    pool = CachingPool(
        dataset.store,
        PoolOptions(
            size=settings.workers,
            deadline=settings.query_timeout,
            queue_size=settings.queue_size,
            retry_after=settings.retry_after,
            memory_mb=settings.worker_memory_mb,
            isolate_network=settings.isolate_network,
        ),
        cache,
    )
    attach_state(app, ServerState(settings=settings, info=dataset.info, pool=pool))
    register_error_handlers(app)
    init_cors(app)
    for blueprint in (sparql.blueprint, meta.blueprint, dumps.blueprint):
        app.register_blueprint(blueprint)
    queries.init_app(app, settings.queries_dir)
    pages.init_app(app)
    return app


def start_pool(app: Flask) -> None:
    """Fork the evaluators of ``app``; call once per serving process, before it starts threads."""
    get_state(app).pool.start()


def stop_pool(app: Flask) -> None:
    get_state(app).pool.close()
