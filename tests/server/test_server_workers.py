"""Several HTTP worker processes share the clients: every worker serves, whichever connection it takes.

The workers accept from one listening socket; each connection stays with the worker that took it. They
take connections in turn, the first until it holds its fill (``FILL`` at most), so each round opens more
than that.
The test opens many short connections and reads from ``/proc`` which worker holds each, so a second worker
that never serves (a broken ``--http-workers``) is caught.
"""

from __future__ import annotations

import os
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.front.site import FILL
from tests.server.server_support import RunningServer, processes_named, running_server

ROUNDS = 6
CLIENTS = FILL + 4


@pytest.fixture(scope="module")
def two_worker_server(fixture_build: Path) -> Iterator[RunningServer]:
    with running_server(["--build-dir", str(fixture_build), "--http-workers", "2", "--workers", "1"]) as server:
        deadline = time.monotonic() + 30
        while len(processes_named(server, "kg-http")) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        yield server


def _established_inodes(port: int) -> set[str]:
    """Socket inodes of the server side of established TCP connections to ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01":
                    inodes.add(fields[9])
    return inodes


def _connections_per_worker(server: RunningServer, workers: list[int]) -> Counter[int]:
    inodes = _established_inodes(server.port)
    held: Counter[int] = Counter()
    for worker in workers:
        for fd in os.listdir(f"/proc/{worker}/fd"):
            target = os.readlink(f"/proc/{worker}/fd/{fd}") if os.path.exists(f"/proc/{worker}/fd/{fd}") else ""
            if target.startswith("socket:[") and target[8:-1] in inodes:
                held[worker] += 1
    return held


def _open_together(server: RunningServer, clients: int = CLIENTS) -> list[socket.socket]:
    opened = [socket.create_connection((server.host, server.port), timeout=10) for _ in range(clients)]
    for connection in opened:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
    for connection in opened:
        connection.recv(65536)  # the answer arrives once a worker has accepted and served the connection
    return opened


def test_both_http_workers_take_connections(two_worker_server: RunningServer) -> None:
    workers = processes_named(two_worker_server, "kg-http")
    assert len(workers) == 2
    served: Counter[int] = Counter()
    for _ in range(ROUNDS):
        connections = _open_together(two_worker_server)
        try:
            held = _connections_per_worker(two_worker_server, workers)
            assert sum(held.values()) == CLIENTS, held
            served.update(held)
        finally:
            for connection in connections:
                connection.close()
    assert all(served[worker] > 0 for worker in workers), served
