"""Several HTTP worker processes share the clients: keep-alive connections opened together are spread out.

Each connection stays with the worker that accepted it, so if a few clients that connect at once all land on
one worker, the others idle for as long as the clients live (half the throughput with two workers). The
test opens four connections at once, several times, and reads from ``/proc`` which worker holds each.
"""

from __future__ import annotations

import os
import socket
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_support import RunningServer, descendants, running_server

ROUNDS = 6
CLIENTS = 4


@pytest.fixture(scope="module")
def two_worker_server(fixture_build: Path) -> Iterator[RunningServer]:
    with running_server(["--build-dir", str(fixture_build), "--http-workers", "2", "--workers", "1"]) as server:
        deadline = time.monotonic() + 30
        while len(_http_workers(server)) < 2 and time.monotonic() < deadline:  # the first may answer alone
            time.sleep(0.05)
        for connection in _open_together(server, clients=2 * CLIENTS):  # first use of each worker's paths
            connection.close()
        yield server


def _http_workers(server: RunningServer) -> list[int]:
    """The HTTP worker processes, once each has started its pool (each then owns one evaluator zygote)."""
    family = descendants(server.process.pid)
    workers = [pid for pid, level in family.items() if level == 1]
    zygotes = [pid for pid, level in family.items() if level == 2]
    return workers if len(zygotes) == len(workers) else []


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
    """Connect every client before any is served, as an event-loop client does: the kernel completes the
    handshakes on its own, so all the connections wait in the listening queue together."""
    opened = [socket.create_connection((server.host, server.port), timeout=10) for _ in range(clients)]
    for connection in opened:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
    for connection in opened:
        connection.recv(65536)  # the answer arrives once a worker has accepted and served the connection
    return opened


def test_each_new_connection_goes_to_the_worker_holding_fewer(two_worker_server: RunningServer) -> None:
    """Clients arriving one after another, each kept open: the workers end up holding as many each.

    Taking turns at random would end 4/4 in about a quarter of the rounds; one round in three may end 3/5,
    for the scheduling noise of a shared machine.
    """
    workers = _http_workers(two_worker_server)
    assert len(workers) == 2
    splits = []
    for _ in range(ROUNDS // 2):
        opened = []
        try:
            for _ in range(2 * CLIENTS):
                opened.extend(_open_together(two_worker_server, clients=1))
            held = _connections_per_worker(two_worker_server, workers)
            splits.append(tuple(sorted(held[worker] for worker in workers)))
        finally:
            for connection in opened:
                connection.close()
    assert all(split in ((4, 4), (3, 5)) for split in splits), splits
    assert splits.count((3, 5)) <= 1, splits


def test_connections_opened_together_are_spread_over_the_workers(two_worker_server: RunningServer) -> None:
    workers = _http_workers(two_worker_server)
    assert len(workers) == 2
    splits = []
    for _ in range(ROUNDS):
        connections = _open_together(two_worker_server)
        try:
            held = _connections_per_worker(two_worker_server, workers)
            splits.append(tuple(sorted(held[worker] for worker in workers)))
        finally:
            for connection in connections:
                connection.close()
    assert all(sum(split) == CLIENTS for split in splits), splits
    assert (0, CLIENTS) not in splits, f"all {CLIENTS} connections on one worker in some rounds: {splits}"
