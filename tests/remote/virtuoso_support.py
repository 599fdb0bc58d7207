"""A real Virtuoso (Debian's ``virtuoso-opensource-7-bin``) on a temporary database, loopback ports only.

``make test-virtuoso`` installs the package when it is missing; without ``virtuoso-t`` the tests skip.
The database lives in a temporary directory, so every session starts from an empty store with the
default ``dba``/``dba`` account; it can be stopped and started again on the same files (outage tests).
"""

from __future__ import annotations

import contextlib
import http.client
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import StoreLocation
from server.remote.publish import Publisher, PublishReport, from_build
from tests.remote.remote_support import free_port

VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"
VAD_DIR = "/usr/share/virtuoso-opensource-7/vad"
USER, PASSWORD = "dba", "dba"
# Virtuoso's layout: /sparql runs queries as the anonymous SPARQL user; updates need the authenticated
# endpoint /sparql-auth, and the Graph Store Protocol is /sparql-graph-crud-auth, both with HTTP Digest.
QUERY_PATH, UPDATE_PATH, GSP_PATH = "/sparql", "/sparql-auth", "/sparql-graph-crud-auth"
SERVE_OPTIONS = ["--query-path", QUERY_PATH, "--store-timeout-param", "timeout:ms"]

_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vad}
[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
"""


class Virtuoso:
    """``virtuoso-t`` in the foreground on a temporary database, on 127.0.0.1 only."""

    def __init__(self, directory: Path) -> None:
        if not Path(VIRTUOSO).is_file():
            pytest.skip("virtuoso-t is not installed: `make test-virtuoso` installs virtuoso-opensource-7-bin")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.http_port, sql_port = free_port(), free_port()
        ini = _INI.format(d=directory, sql_port=sql_port, http_port=self.http_port, vad=VAD_DIR)
        (directory / "virtuoso.ini").write_text(ini, encoding="utf-8")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The store's URL without credentials (enough for queries)."""
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def admin_url(self) -> str:
        return f"http://{USER}:{PASSWORD}@127.0.0.1:{self.http_port}"

    def start(self, timeout: float = 120) -> Virtuoso:
        command = [VIRTUOSO, "+foreground", "+configfile", str(self.directory / "virtuoso.ini")]
        log = (self.directory / "stdout.log").open("ab")
        self.process = subprocess.Popen(command, cwd=self.directory, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=2)
                connection.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": "text/csv"})
                if connection.getresponse().status == 200:
                    connection.close()
                    return self
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}; see {self.directory}")
            time.sleep(0.2)
        raise RuntimeError(f"Virtuoso did not answer within {timeout:g} s; see {self.directory}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def location(self) -> StoreLocation:
        return StoreLocation(self.admin_url, query_path=QUERY_PATH, update_path=UPDATE_PATH, gsp_path=GSP_PATH)

    def publish_build(self, build_dir: Path) -> PublishReport:
        published, uploads = from_build(build_dir)
        return Publisher(self.location()).publish(published, uploads)


@contextlib.contextmanager
def running_virtuoso(directory: Path) -> Iterator[Virtuoso]:
    store = Virtuoso(directory).start()
    try:
        yield store
    finally:
        store.stop()
