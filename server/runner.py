"""Running the server: the evaluation service, then granian serving the Flask app in several processes.

The process layout (``kg serve`` with the defaults, on a machine with C cores)::

    kg serve  (supervisor: granian's master; restarts the evaluation service if it dies)
    ├── HTTP worker x C        granian: a Rust event loop holds every connection (slow and idle ones
    │                          cost no Python thread) and hands complete requests to the Flask app,
    │                          one blocking thread per request in flight
    └── kg-evaluation          loads the store, forks the evaluators, lets its copy go; no network
        └── kg-evaluator x C   forked from it: one query at a time, killed at its deadline

HTTP workers reach the evaluators through a Unix socket in a private directory; see
:mod:`server.evaluators`. The service is a fresh interpreter, so the evaluators are always forked from a
single-threaded process, and it can be restarted at any time without forking the threaded supervisor.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from flask import Flask

from core.settings import Settings
from server.allocator import trim_now_and_then
from server.backend import BackendLimits
from server.dataset import DatasetError, DatasetInfo
from server.evaluators import sandbox
from server.evaluators.client import EvaluatorClient, ServiceAddress
from server.evaluators.service import ServiceConfig
from server.express import ExpressLane
from server.gateway import Gateway
from server.state import get_state

log = logging.getLogger(__name__)

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
        return EvaluatorClient(self.address, limits.deadline, limits.retry_after)

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
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.http import HTTP1Settings
    from granian.log import LogLevels
    from granian.server import Server

    from server.app import create_app

    sandbox.raise_open_files_limit()
    directory = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    service: EvaluationService | None = None
    try:
        if settings.store is None:
            service = EvaluationService(settings, directory)
            info = service.start()
            service.supervise()
            client = service.client()

            def load_app() -> Gateway:
                sandbox.set_process_name("kg-http")
                return _gateway(settings, create_app(settings, backend=client, info=info))
        else:

            def load_app() -> Gateway:
                sandbox.set_process_name("kg-http")
                return _gateway(settings, create_app(settings))

        server = Server(
            target="server.app:create_app",
            address=settings.host,
            port=settings.port,
            interface=Interfaces.RSGI,
            loop=Loops.uvloop,  # libuv's loop: waking it from granian's thread and the evaluator I/O cost less
            workers=settings.http_workers,
            backpressure=max(1, settings.max_connections // settings.http_workers),
            backlog=settings.backlog,
            http=HTTPModes.auto,
            http1_settings=HTTP1Settings(header_read_timeout=int(settings.header_timeout * 1000)),
            websockets=False,
            log_level=LogLevels.error,
            respawn_failed_workers=True,
            respawn_interval=0.5,
            workers_kill_timeout=max(5, int(settings.query_timeout) + 2),
        )
        server.on_startup(lambda: _announce(settings))
        server.serve(target_loader=load_app, wrap_loader=False)
    finally:
        if service is not None:
            service.stop()
        shutil.rmtree(directory, ignore_errors=True)
    return 0


def _gateway(settings: Settings, app: Flask) -> Gateway:
    """The HTTP worker's application; called in the worker process, so its memory trimming starts there."""
    trim_now_and_then()
    express = ExpressLane.for_state(get_state(app)) if settings.express else None
    return Gateway(app, settings.http_threads, settings.body_timeout, settings.max_body_bytes, express)


def _announce(settings: Settings) -> None:
    host = settings.host
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving the SPARQL endpoint at http://{shown}:{settings.port}/sparql", flush=True)
