"""The HTTP front over raw sockets: what tools and browsers send, and what they must get back.

Each test writes bytes to a real ``kg serve`` on 127.0.0.1 and reads the answers as they come off the
wire, so the HTTP/1.1 framing itself is what is checked: pipelined requests answered in order, HEAD
without a body, chunked request bodies, ``Expect: 100-continue``, ``Connection: close`` and HTTP/1.0,
refusals of heads too large or unreadable, the connection cap's 503, and a killed HTTP worker replaced.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.server.server_support import RunningServer, processes_named, running_server


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


class Wire:
    """One client connection, read answer by answer."""

    def __init__(self, server: RunningServer) -> None:
        self.socket = socket.create_connection((server.host, server.port), timeout=10)
        self._buffer = b""

    def send(self, data: bytes) -> None:
        self.socket.sendall(data)

    def _fill(self) -> bool:
        data = self.socket.recv(65536)
        self._buffer += data
        return bool(data)

    def reply(self, head_only: bool = False) -> Reply:
        while b"\r\n\r\n" not in self._buffer:
            if not self._fill():
                raise ConnectionError(f"closed before a complete head: {self._buffer[:200]!r}")
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status = int(status_line.split()[1])
        if head_only or status in (100, 204, 304):
            return Reply(status, headers, b"")
        if headers.get("transfer-encoding") == "chunked":
            return Reply(status, headers, self._chunks())
        length = int(headers["content-length"])
        while len(self._buffer) < length:
            if not self._fill():
                raise ConnectionError("closed before the body was complete")
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return Reply(status, headers, body)

    def _chunks(self) -> bytes:
        body = b""
        while True:
            while b"\r\n" not in self._buffer:
                self._fill()
            size_line, self._buffer = self._buffer.split(b"\r\n", 1)
            size = int(size_line, 16)
            while len(self._buffer) < size + 2:
                self._fill()
            body, self._buffer = body + self._buffer[:size], self._buffer[size + 2 :]
            if size == 0:
                return body

    def closed_by_server(self, within: float = 3.0) -> bool:
        self.socket.settimeout(within)
        try:
            return self.socket.recv(1) == b""
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False

    def close(self) -> None:
        self.socket.close()


@pytest.fixture
def wire(kg_server: RunningServer) -> Iterator[Wire]:
    connection = Wire(kg_server)
    yield connection
    connection.close()


def _get(target: str, *headers: str, version: str = "HTTP/1.1") -> bytes:
    lines = [f"GET {target} {version}", "Host: test", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _query_target(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def test_pipelined_requests_are_answered_in_order(wire: Wire) -> None:
    labels = [f"pipelined {n} {time.monotonic_ns()}" for n in range(3)]
    requests = [_get(_query_target(f'SELECT ("{label}" AS ?x) {{}}'), "Accept: text/csv") for label in labels]
    wire.send(requests[0] + _get("/health") + requests[1] + requests[2])
    first, health, second, third = (wire.reply() for _ in range(4))
    assert [r.status for r in (first, health, second, third)] == [200, 200, 200, 200]
    assert labels[0] in first.body.decode()
    assert b'"status":"ok"' in health.body
    assert labels[1] in second.body.decode() and labels[2] in third.body.decode()


def test_head_gets_the_headers_without_a_body_and_the_connection_goes_on(wire: Wire) -> None:
    wire.send(b"HEAD /health HTTP/1.1\r\nHost: test\r\n\r\n")
    head = wire.reply(head_only=True)
    assert head.status == 200 and int(head.headers["content-length"]) > 0
    wire.send(_get("/health"))
    assert wire.reply().status == 200  # no stray body bytes were sent after the HEAD answer


def test_every_answer_has_a_date_and_a_length(wire: Wire) -> None:
    wire.send(_get(_query_target("ASK {}"), "Accept: application/sparql-results+json"))
    answer = wire.reply()
    assert answer.status == 200 and answer.body == b'{"head":{},"boolean":true}'
    assert answer.headers["content-length"] == str(len(answer.body))
    assert answer.headers["date"].endswith(" GMT")


def test_a_chunked_request_body_is_read_whole(wire: Wire) -> None:
    query = b"ASK { ?s ?p ?o }"
    body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (query[:5], query[5:])) + b"0\r\n\r\n"
    wire.send(
        b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
        b"Accept: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    )
    answer = wire.reply()
    assert answer.status == 200 and answer.body == b'{"head":{},"boolean":true}'


def test_expect_100_continue_is_answered_before_the_body_is_sent(wire: Wire) -> None:
    form = b"query=" + urllib.parse.quote_plus("ASK {}").encode()
    wire.send(
        b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Accept: application/sparql-results+json\r\nExpect: 100-continue\r\n"
        b"Content-Length: %d\r\n\r\n" % len(form)
    )
    assert wire.reply().status == 100
    wire.send(form)
    assert wire.reply().status == 200


def test_connection_close_and_http_1_0_end_the_connection_after_the_answer(kg_server: RunningServer) -> None:
    for request in (_get("/health", "Connection: close"), _get("/health", version="HTTP/1.0")):
        connection = Wire(kg_server)
        try:
            connection.send(request)
            answer = connection.reply()
            assert answer.status == 200 and answer.headers.get("connection") == "close"
            assert connection.closed_by_server()
        finally:
            connection.close()


def test_http_1_0_keep_alive_is_honoured_and_said(wire: Wire) -> None:
    wire.send(_get("/health", "Connection: keep-alive", version="HTTP/1.0"))
    answer = wire.reply()
    assert answer.status == 200 and answer.headers["connection"] == "keep-alive"
    assert not wire.closed_by_server(within=0.3)


def test_a_body_too_large_is_refused_without_100_continue(wire: Wire) -> None:
    wire.send(
        b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
        b"Expect: 100-continue\r\nContent-Length: 99999999\r\n\r\n"
    )
    answer = wire.reply()
    assert answer.status == 413 and answer.headers["connection"] == "close"
    assert wire.closed_by_server()


def test_a_broken_chunked_body_gets_400_at_once(wire: Wire) -> None:
    started = time.monotonic()
    wire.send(
        b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nASK {\r\nzz\r\n"
    )
    answer = wire.reply()
    assert answer.status == 400 and time.monotonic() - started < 2
    assert wire.closed_by_server()


def test_too_many_header_fields_get_431(wire: Wire) -> None:
    wire.send(_get("/health", *(f"X-Field-{n}: {n}" for n in range(300))))
    answer = wire.reply()
    assert answer.status == 431 and answer.headers["connection"] == "close"


@pytest.mark.parametrize(
    "request_bytes",
    [b"NOT HTTP AT ALL\r\n\r\n", b"GET /health HTTP/1.1\r\nHost: test\r\nBad Header\r\n\r\n", b"\x16\x03\x01\x02\x00"],
    ids=["request line", "header line", "TLS hello"],
)
def test_an_unreadable_request_gets_400_and_the_connection_is_closed(wire: Wire, request_bytes: bytes) -> None:
    wire.send(request_bytes)
    answer = wire.reply()
    assert answer.status == 400 and answer.headers["connection"] == "close"
    assert answer.body.startswith(b"Bad Request: malformed request")
    assert wire.closed_by_server()


def test_a_head_too_large_gets_431_and_a_url_too_long_414(kg_server: RunningServer) -> None:
    huge = "x" * 1_400_000
    for request, status in ((_get("/health", f"X-Padding: {huge}"), 431), (_get(f"/health?{huge}"), 414)):
        connection = Wire(kg_server)
        try:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it may stop reading first
                connection.send(request)
            answer = connection.reply()
            assert answer.status == status, answer
            assert connection.closed_by_server()
        finally:
            connection.close()


@pytest.fixture(scope="module")
def capped_server(fixture_build: Path) -> Iterator[RunningServer]:
    arguments = ["--build-dir", str(fixture_build), "--workers", "1", "--http-workers", "1"]
    with running_server([*arguments, "--max-connections", "3"]) as server:
        yield server


def test_connections_beyond_the_cap_get_503_with_retry_after(capped_server: RunningServer) -> None:
    held = [Wire(capped_server) for _ in range(3)]
    try:
        for connection in held:
            connection.send(_get("/health"))
            assert connection.reply().status == 200
        extra = Wire(capped_server)
        try:
            extra.send(_get("/health"))
            refused = extra.reply()
            assert refused.status == 503 and refused.headers["retry-after"] == "1"
            assert b"as many connections" in refused.body
            assert extra.closed_by_server()
        finally:
            extra.close()
        held.pop().close()
        deadline = time.monotonic() + 5
        while True:  # the freed place is taken by the next connection
            again = Wire(capped_server)
            try:
                again.send(_get("/health"))
                if again.reply().status == 200:
                    break
            finally:
                again.close()
            assert time.monotonic() < deadline, "the cap was not released when a connection closed"
            time.sleep(0.1)
    finally:
        for connection in held:
            connection.close()


def test_a_killed_http_worker_is_replaced(capped_server: RunningServer) -> None:
    (worker,) = processes_named(capped_server, "kg-http")
    os.kill(worker, signal.SIGKILL)
    deadline = time.monotonic() + 10
    replacement: list[int] = []
    while time.monotonic() < deadline:
        replacement = [pid for pid in processes_named(capped_server, "kg-http") if pid != worker]
        if replacement:
            break
        time.sleep(0.1)
    assert replacement, "no HTTP worker came back"
    health = capped_server.request("GET", "/health")
    assert health.status == 200
    assert health.json()["http_worker"]["pid"] == replacement[0]  # type: ignore[index]
