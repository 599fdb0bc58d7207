"""The store goes away, answers too slowly or answers with an error: clear 503, 504 and 502, then recovery.

The outage uses a real ``oxigraph serve`` on disk, stopped and started again on the same port. Slowness and
errors come from a small stand-in store (a thread in this process) that answers the metadata query like a
published store and misbehaves on the data queries, which keeps the test fast and deterministic.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from server.remote.meta import Published, meta_graph_iri
from tests.remote.remote_support import Store, remote_server
from tests.server.server_support import write_fixture_build

ASK = "ASK { ?s ?p ?o }"
BASE = "https://w3id.org/morocco-digital-kg/"


def test_store_down_then_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "store").start()
    try:
        store.publish_build(write_fixture_build(tmp_path / "build"))
        with remote_server(store.url, ["--query-timeout", "3", "--cache-mb", "0"]) as server:
            assert server.query(ASK).status == 200
            store.stop()
            down = server.query(ASK)
            assert down.status == 503, down.text
            assert "unreachable" in down.text and store.url in down.text and down.header("retry-after")
            assert server.request("GET", "/health").status == 503
            page = server.request("GET", "/id/actor-1", headers={"Accept": "text/turtle"})
            assert page.status == 503
            store.start()  # same port, same data on disk
            back = server.query(ASK)
            assert back.status == 200 and back.json()["boolean"] is True  # type: ignore[index]
            assert server.request("GET", "/health").status == 200
    finally:
        store.stop()


class _StandIn(BaseHTTPRequestHandler):
    """Answers the metadata query like a published store; data queries as ``mode`` says."""

    mode = "error"
    published = Published(meta_graph_iri(BASE), {"version": "f" * 64, "base_iri": BASE, "graphs": {}, "triples": 0})

    def do_POST(self) -> None:  # the name http.server calls
        length = int(self.headers.get("Content-Length", 0))
        query = urllib.parse.parse_qs(self.rfile.read(length).decode())["query"][0]
        if "publish#manifest" in query:
            document = json.dumps({"manifest": self.published.manifest, "example_resources": []})
            binding = {"g": {"type": "uri", "value": self.published.iri}, "m": {"type": "literal", "value": document}}
            self._send(
                200,
                "application/sparql-results+json",
                json.dumps({"head": {"vars": ["g", "m"]}, "results": {"bindings": [binding]}}).encode(),
            )
        elif self.mode == "slow":
            time.sleep(4)
            self._send(200, "application/sparql-results+json", b'{"head":{},"boolean":true}')
        elif self.mode == "cut":
            self._send(200, "application/sparql-results+json", b'{"head":{"vars":["s"]},"results":{"bindings":[{"s"')
        else:
            self._send(500, "text/plain", b"storage engine failure")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stand_in() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_store_errors_and_slowness(stand_in: ThreadingHTTPServer) -> None:
    url = f"http://127.0.0.1:{stand_in.server_address[1]}"
    with remote_server(url, ["--query-timeout", "1", "--cache-mb", "0"]) as server:
        _StandIn.mode = "error"
        failed = server.query(ASK)
        assert failed.status == 502 and "storage engine failure" in failed.text, failed.text
        _StandIn.mode = "cut"
        cut = server.query("SELECT ?s WHERE { ?s ?p ?o }")
        assert cut.status == 502 and "incomplete or malformed" in cut.text, cut.text
        _StandIn.mode = "slow"
        started = time.monotonic()
        slow = server.query(ASK)
        assert slow.status == 504 and "1 s limit" in slow.text, slow.text
        assert time.monotonic() - started < 3
