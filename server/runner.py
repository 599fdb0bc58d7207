"""Running the server: the evaluation service, then the HTTP workers serving the Flask app.

The process layout (``kg serve`` with the defaults, on a machine with C cores)::

    kg serve  (supervisor: binds the port, forks the HTTP workers and replaces a dead one; restarts
    │          the evaluation service if it dies)
    ├── kg-http x C            an event loop (uvloop, httptools) holds every connection, slow and idle
    │                          ones included, and hands complete requests to the gateway: plain
    │                          queries and replays on the loop, the Flask app in a bounded thread pool
    └── kg-evaluation          loads the store, forks the evaluators, lets its copy go; no network
        └── kg-evaluator x C   forked from it: one query at a time, killed at its deadline

HTTP workers reach the evaluators through a Unix socket in a private directory; see
:mod:`server.evaluators`. The service is a fresh interpreter, so the evaluators are always forked from a
single-threaded process, and it can be restarted at any time without forking the threaded supervisor.
"""

from __future__ import annotations

import gc
import logging
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from core.settings import Settings
from server.allocator import trim_now_and_then
from server.backend import BackendLimits
from server.dataset import DatasetError, DatasetInfo
from server.evaluators import sandbox
from server.evaluators.client import EvaluatorClient, ServiceAddress
from server.evaluators.service import ServiceConfig
from server.express import ExpressLane
from server.front.connection import MAX_HEADER_BYTES
from server.front.site import FILL, FILL_ANSWERING, Site, run_site
from server.front.supervisor import Supervisor, WorkerPlan, listen
from server.gateway import Gateway
from server.state import get_state

log = logging.getLogger(__name__)

# a request's head may carry a GET query of the longest length accepted (100,000 characters, each up to
# 4 bytes of UTF-8 written as %XX: 12 bytes) and then its header fields
_LONGEST_QUERY_URL = 1_200_000
_RESTART_PAUSE = 0.5  # between a dead service and its replacement, so a crash loop cannot spin


class EvaluationService:
    """The ``kg-evaluation`` process: started, watched and restarted from the supervisor."""

    def __init__(self, settings: Settings, directory: Path) -> None:
        self._settings = settings
        self.address = ServiceAddress.in_directory(directory)
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self.info: DatasetInfo | None = None

    def start(self) -> DatasetInfo:
        """Start the service and wait until its data is loaded; :class:`DatasetError` if it cannot load."""
        config = ServiceConfig(self._settings, self.address.socket_path, self.address.status_path)
        process = subprocess.Popen(
            [sys.executable, "-m", "server.evaluators.service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[1],
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(pickle.dumps(config))
        process.stdin.close()
        try:
            kind, value = pickle.load(process.stdout)
        except (EOFError, pickle.UnpicklingError):
            process.wait()
            raise DatasetError(
                f"the evaluation service stopped while loading the data (exit {process.returncode})"
            ) from None
        finally:
            process.stdout.close()
        if kind != "ready":
            process.wait()
            raise DatasetError(str(value))
        self._process, self.info = process, value
        return value

    def client(self) -> EvaluatorClient:
        limits = BackendLimits.from_settings(self._settings)
        return EvaluatorClient(self.address, limits.deadline, limits.retry_after, self._settings.workers)

    def supervise(self) -> None:
        """Restart the service whenever it exits, until :meth:`stop`; in a thread of the supervisor."""
        threading.Thread(target=self._watch, name="evaluation-service-watch", daemon=True).start()

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            if process is None:
                return
            code = process.wait()
            if self._stopping.is_set():
                return
            log.error("the evaluation service exited (%s); starting a fresh one", code)
            time.sleep(_RESTART_PAUSE)
            try:
                self.start()
            except DatasetError as error:
                log.error("the evaluation service could not restart: %s", error)
                time.sleep(_RESTART_PAUSE * 4)

    def stop(self) -> None:
        self._stopping.set()
        process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def serve(settings: Settings) -> int:
    """Serve until SIGINT or SIGTERM (in-flight requests finish first); the exit code."""
    from server.app import create_app

    sandbox.raise_open_files_limit()
    listener = listen(settings.host, settings.port, settings.backlog)  # refused at once if the port is taken
    directory = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    service: EvaluationService | None = None
    try:
        if settings.store is None:
            service = EvaluationService(settings, directory)
            info = service.start()
            service.supervise()
            client = service.client()

            def load_app() -> Gateway:
                return _gateway(settings, create_app(settings, backend=client, info=info))
        else:

            def load_app() -> Gateway:
                return _gateway(settings, create_app(settings))

        plan = WorkerPlan(settings.http_workers, _worker(settings, load_app), _drain_timeout(settings))
        port = listener.getsockname()[1]
        Supervisor(listener, plan).run(on_ready=lambda: _announce(settings.host, port))
    finally:
        listener.close()
        if service is not None:
            service.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return 0


def _worker(settings: Settings, load_app: Callable[[], Gateway]) -> Callable[[socket.socket, Any, int], None]:
    """What an HTTP worker runs once forked: its own app, on its own event loop, until it is drained."""

    def serve(listener: socket.socket, loads: Any, slot: int) -> None:
        import uvloop  # libuv's loop: the accept, read and write paths and the evaluator I/O cost less

        sandbox.set_process_name("kg-http")
        gateway = load_app()
        answering = gateway.answers_small_queries
        gc.collect()
        gc.freeze()  # the app's own objects live as long as the worker: no collection need walk them again
        site = Site(
            gateway,
            listener,
            loads,
            slot,
            max_connections=max(1, settings.max_connections // settings.http_workers),
            header_timeout=settings.header_timeout,
            max_head_bytes=max(settings.max_body_bytes, _LONGEST_QUERY_URL) + MAX_HEADER_BYTES,
            fill=FILL_ANSWERING if answering else FILL,
        )
        run_site(site, _drain_timeout(settings), uvloop.new_event_loop)

    return serve


def _drain_timeout(settings: Settings) -> float:
    """How long a stopping worker lets its requests in flight run: past any query's deadline."""
    return max(5.0, settings.query_timeout + 2)


def _gateway(settings: Settings, app: Flask) -> Gateway:
    """The HTTP worker's application; called in the worker process, so its memory trimming starts there."""
    trim_now_and_then()
    express = ExpressLane.for_state(get_state(app)) if settings.express else None
    return Gateway(app, settings.http_threads, settings.body_timeout, settings.max_body_bytes, express)


def _announce(host: str, port: int) -> None:
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving the SPARQL endpoint at http://{shown}:{port}/sparql", flush=True)
