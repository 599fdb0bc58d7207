"""A real ``oxigraph serve`` for the remote-mode tests, and servers of this project in front of it."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import DataFile, StoreLocation
from server.remote.publish import Publisher, PublishReport, from_build, from_files
from tests.server.server_support import REPO, RunningServer, free_port, running_server

OXIGRAPH = Path(sys.executable).with_name("oxigraph")


class Store:
    """``oxigraph serve`` on 127.0.0.1, in memory or in ``location``; can be stopped and started again."""

    def __init__(self, location: Path | None = None) -> None:
        if not OXIGRAPH.is_file():
            pytest.skip("the `oxigraph` command is not installed (pip install oxigraph; it is in the test extras)")
        self.location = location
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Store:
        command = [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{self.port}"]
        if self.location is not None:
            command += ["--location", str(self.location)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                accept = {"Accept": "application/sparql-results+json"}
                connection.request("GET", "/query?query=ASK%7B%7D", headers=accept)
                if connection.getresponse().status == 200:
                    connection.close()
                    return self
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            time.sleep(0.1)
        raise RuntimeError("oxigraph serve did not start in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def publish_build(self, build_dir: Path) -> PublishReport:
        published, uploads = from_build(build_dir)
        return Publisher(StoreLocation(self.url)).publish(published, uploads)

    def publish_files(self, files: list[DataFile], base_iri: str) -> PublishReport:
        published, uploads = from_files(files, base_iri)
        return Publisher(StoreLocation(self.url)).publish(published, uploads)


@contextlib.contextmanager
def running_store(location: Path | None = None) -> Iterator[Store]:
    store = Store(location).start()
    try:
        yield store
    finally:
        store.stop()


@contextlib.contextmanager
def remote_server(store_url: str, arguments: list[str] | None = None) -> Iterator[RunningServer]:
    """``kg serve --backend`` in front of ``store_url`` (the same process set-up as the embedded tests)."""
    with running_server(["--backend", store_url, *(arguments or [])]) as server:
        yield server


__all__ = ["REPO", "RunningServer", "Store", "os", "remote_server", "running_store"]
