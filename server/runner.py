"""Running the application under gunicorn, with the process layout the deadline guarantee needs.

Each gunicorn worker process (one by default, ``http_workers``) serves HTTP with threads; it is forked from
the master after the store is loaded there (``preload_app``). Right after the fork, before its request
threads exist, the worker starts the evaluator pool. If the worker dies, the gunicorn master forks a fresh
one, which starts a fresh pool.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from server.app import start_pool, stop_pool
from server.settings import Settings

# How long a worker waits, per connection it already holds, before taking a new one; at most a few ms.
_ACCEPT_DELAY_PER_CONNECTION = 0.0005
_ACCEPT_DELAY_MAX = 0.002


class BalancedThreadWorker(ThreadWorker):
    """gunicorn's threaded worker, taking new connections least-loaded first among its siblings.

    Every worker waits on the same listening socket and the first to wake takes the connection, so a
    handful of keep-alive clients that connect together can all land on one worker while the other
    idles: 4 benchmark clients did so in 2 runs of 5, which halved the throughput. A worker that already
    holds connections now lets the others try first, a moment per connection it holds (nginx's accept
    mutex and least-connections balancing solve the same problem).
    """

    def accept(self, listener: Any) -> None:
        if self.nr_conns:
            time.sleep(min(_ACCEPT_DELAY_MAX, self.nr_conns * _ACCEPT_DELAY_PER_CONNECTION))
        super().accept(listener)


def _start_worker_pool(worker: Any) -> None:
    """Start the worker's evaluator pool; if the pool breaks, the worker stops gracefully (in-flight
    requests finish) and the master forks a fresh one, with a fresh pool."""

    def restart_gracefully() -> None:
        worker.alive = False

    start_pool(worker.wsgi, on_broken=restart_gracefully)


class GunicornServer(BaseApplication):
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
            "worker_class": BalancedThreadWorker if settings.http_workers > 1 else "gthread",
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
            "post_worker_init": _start_worker_pool,
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
