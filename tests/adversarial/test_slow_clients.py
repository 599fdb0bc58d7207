"""Slow and idle connections cost the server no thread: a good client keeps its answers meanwhile.

A bounded version of ``bench.slowclients`` (the benchmark holds 1,000 slow-loris and 10,000 idle
connections): a few hundred connections trickling their headers one line a second, then idle keep-alive
connections, while a well-behaved client asks ``ASK {}`` on a fresh connection every 0.1 s. With the
threaded server this replaced, 50 slow connections left good clients with no answer at all.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import slowclients
from tests.adversarial.adversarial_support import FIGURES
from tests.server.server_support import RunningServer, running_server

SLOW_CONNECTIONS = 300
IDLE_CONNECTIONS = 1500
HEADER_TIMEOUT = 1.5


@pytest.fixture(scope="module")
def short_timeout_server(adv_build: Path) -> Iterator[RunningServer]:
    arguments = ["--build-dir", str(adv_build), "--workers", "1", "--http-workers", "1"]
    arguments += ["--header-timeout", str(HEADER_TIMEOUT), "--body-timeout", str(HEADER_TIMEOUT)]
    with running_server(arguments) as server:
        yield server


def _record(result: slowclients.ScenarioResult) -> None:
    FIGURES.notes[f"{result.scenario} connections"] = result.line()
    for latency in result.good.latencies:
        FIGURES.good(latency, True)


def test_slow_loris_connections_do_not_starve_a_good_client(adv_server: RunningServer) -> None:
    result = slowclients.run("trickle", adv_server.host, adv_server.port, SLOW_CONNECTIONS, 4.0)
    _record(result)
    assert result.connections_opened == SLOW_CONNECTIONS
    assert not result.good.failures, result.good.failures[:5]
    assert len(result.good.latencies) >= 20
    assert result.good.p99 <= 1.0, result.line()


def test_idle_keep_alive_connections_do_not_starve_a_good_client(adv_server: RunningServer) -> None:
    result = slowclients.run("idle", adv_server.host, adv_server.port, IDLE_CONNECTIONS, 3.0)
    _record(result)
    assert result.connections_opened == IDLE_CONNECTIONS, result.line()
    assert not result.good.failures, result.good.failures[:5]
    assert result.good.p99 <= 1.0, result.line()


def test_headers_sent_too_slowly_get_the_connection_closed(short_timeout_server: RunningServer) -> None:
    """``--header-timeout``: past it the server hangs up on a client that never finishes its headers."""
    result = slowclients.run("trickle", short_timeout_server.host, short_timeout_server.port, 50, HEADER_TIMEOUT + 3)
    assert result.connections_opened == 50
    assert result.connections_dropped_by_server == 50, result.line()
    assert not result.good.failures, result.good.failures[:5]


def test_slow_request_bodies_hold_no_thread_and_time_out(short_timeout_server: RunningServer) -> None:
    """POST headers sent at once, then a body that never comes: more of them than a worker has request
    threads, and a good client is still answered; each slow one gets 408 once its body time is up."""
    held = []
    try:
        for _ in range(60):
            connection = socket.create_connection((short_timeout_server.host, short_timeout_server.port), timeout=30)
            connection.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: test\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 1000\r\n\r\nASK"
            )
            held.append(connection)
        started = time.monotonic()
        for _ in range(5):
            assert short_timeout_server.query("ASK {}").status == 200
        assert time.monotonic() - started < 5
        answer = held[0].recv(200)
        assert answer.startswith(b"HTTP/1.1 408"), answer
    finally:
        for connection in held:
            connection.close()
