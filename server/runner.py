"""Running the application under gunicorn, with the process layout the deadline guarantee needs.

Each gunicorn worker process (one by default, ``http_workers``) serves HTTP with threads; it is forked from
the master after the store is loaded there (``preload_app``). Right after the fork, before its request
threads exist, the worker starts the evaluator pool. If the worker dies, the gunicorn master forks a fresh
one, which starts a fresh pool.
"""

from __future__ import annotations

import sys
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from server.app import start_pool, stop_pool
from server.settings import Settings


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from :class:`Settings` rather than from its own command line."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        super().__init__()

    def load_config(self) -> None:
        settings = self._settings
        options: dict[str, Any] = {
            "bind": f"{settings.host}:{settings.port}",
            "workers": settings.http_workers,
            "worker_class": "gthread",
            "threads": settings.http_threads,
            "preload_app": True,
            "timeout": max(30, int(settings.query_timeout * 3)),
            "graceful_timeout": 5,
            "limit_request_line": 8190,
            "accesslog": None,
            "errorlog": "-",
            # gunicorn logs one WARNING line per malformed request: any client could flood the log (and a
            # server whose stderr pipe is not drained then blocks). Worker crashes and timeouts are errors.
            "loglevel": "error",
            "post_worker_init": lambda worker: start_pool(worker.wsgi),
            "worker_exit": lambda server, worker: stop_pool(worker.wsgi),
            "when_ready": lambda server: self._announce(),
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app

    def _announce(self) -> None:
        host = self._settings.host
        shown = f"[{host}]" if ":" in host else host
        print(f"Serving the SPARQL endpoint at http://{shown}:{self._settings.port}/sparql", flush=True)


def serve(app: Flask, settings: Settings) -> int:
    """Run until interrupted; the exit code of the master process."""
    try:
        GunicornServer(app, settings).run()
    except SystemExit as stop:
        return int(stop.code or 0)
    sys.stdout.flush()
    return 0
