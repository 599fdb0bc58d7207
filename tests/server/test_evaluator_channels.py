"""Connections between HTTP workers and evaluators: kept for the next query, let go for a queued one.

These talk to a real evaluation service (its processes, its Unix socket) through two clients, as two HTTP
workers would; each client keeps the connection its last answer came on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import DataFile, Settings
from server.backend import DeadlineExceeded
from server.evaluation import Job, Outcome, OutputFormat
from server.evaluators.client import EvaluatorClient, ServiceAddress
from server.evaluators.exchange import priority_comes_back
from server.evaluators.wire import (
    GREETING,
    OUTCOME_HEADER_SIZE,
    RELEASED,
    decode_outcome,
    encode_job,
    outcome_size,
    read_exactly,
    read_job,
    send_outcome,
)
from server.runner import EvaluationService
from tests.server.test_server_safety import HEAVY

_DEADLINE = 1.0
# about 0.3 s here: long enough to queue a connection while the evaluator works, well within the deadline
_SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?a { "
    + " ".join(map(str, range(400)))
    + " } "
    + ("VALUES ?b { " + " ".join(map(str, range(400))) + " } VALUES ?c { " + " ".join(map(str, range(30))) + " } }")
)


@pytest.fixture()
def service(tmp_path: Path) -> Iterator[EvaluationService]:
    """One evaluator, so that every client shares it and its kept connection changes hands."""
    data = tmp_path / "data.nt"
    data.write_text("".join(f"<urn:s{n}> <urn:p> <urn:o{n}> .\n" for n in range(20)), encoding="utf-8")
    running = EvaluationService(Settings(workers=1, query_timeout=_DEADLINE, data_files=(DataFile(data),)), tmp_path)
    running.start()
    yield running
    running.stop()


def _job(query: str) -> Job:
    return Job(
        query=query,
        capped_query=None,
        default_graphs=None,
        named_graphs=None,
        results_format=OutputFormat("JSON", "application/sparql-results+json"),
        graph_format=None,
        max_rows=100,
    )


def _count(client: EvaluatorClient, label: str) -> bytes:
    outcome = client.run(_job(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <urn:p> ?o }} # {label}"))
    assert outcome.kind == "ok", outcome.message
    return outcome.body


def _kept(client: EvaluatorClient) -> list[object]:
    """The idle connections ``client`` keeps, across its event loops."""
    return [channel for pool in client._pools.values() for channel in pool.idle]


def _replaced(client: EvaluatorClient, pid: int) -> bool:
    """Whether the service reports another evaluator in place of ``pid`` (it writes so right after forking)."""
    until = time.monotonic() + 5
    while time.monotonic() < until:
        pids = client.pids()
        if pids and pid not in pids:
            return True
        time.sleep(0.05)
    return False


def test_a_kept_connection_carries_the_next_query(service: EvaluationService) -> None:
    client = service.client()
    first = _count(client, "first")
    kept = _kept(client)
    assert len(kept) == 1
    assert _count(client, "second") == first
    assert _kept(client) == kept  # the same connection, not a new one


def test_a_connection_let_go_for_a_queued_query_costs_a_new_one(service: EvaluationService) -> None:
    one, other = service.client(), service.client()
    answer = _count(one, "one")
    let_go = _kept(one)
    assert _count(other, "other") == answer  # the evaluator lets go of one's connection for other's
    assert _count(one, "one again") == answer  # sent on the released connection, then on a new one
    assert _kept(one) != let_go and len(_kept(one)) == 1


def test_a_kept_evaluator_killed_while_idle_costs_a_new_connection(service: EvaluationService) -> None:
    client = service.client()
    answer = _count(client, "before")
    (pid,) = client.pids()
    os.kill(pid, signal.SIGKILL)
    assert _count(client, "after") == answer
    assert _replaced(client, pid)


def test_the_deadline_holds_on_a_kept_connection(service: EvaluationService) -> None:
    client = service.client()
    answer = _count(client, "warm")
    (pid,) = client.pids()
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        client.run(_job(HEAVY))
    assert _DEADLINE - 0.05 <= time.monotonic() - started < _DEADLINE + 1.5
    assert _count(client, "after the deadline") == answer
    assert _replaced(client, pid)  # killed at the deadline


def test_a_client_that_keeps_sending_does_not_starve_a_queued_one(service: EvaluationService) -> None:
    busy, waiting = service.client(), service.client()
    _count(busy, "warm")

    async def keep_sending(until: float) -> int:
        sent = 0
        while time.monotonic() < until:
            outcome = await busy.evaluate(_job(f"ASK {{ ?s ?p ?o }} # busy {sent}"))
            assert outcome.kind == "ok"
            sent += 1
        return sent

    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(keep_sending(time.monotonic() + 1.0))
        loop.run_until_complete(asyncio.sleep(0.2))  # the busy client sends query after query
        started = time.monotonic()
        _count(waiting, "queued")  # on the client's own loop, in its thread: queued behind busy's
        waited = time.monotonic() - started
        assert loop.run_until_complete(task) > 10
    finally:
        loop.close()
    assert waited < 0.5


def test_a_query_on_a_connection_let_go_is_told_so(service: EvaluationService) -> None:
    """On the wire: a job that waits on the kept connection while another connection is queued is not
    read; the evaluator writes RELEASED after the answer in progress and closes the connection."""
    path = str(service.address.socket_path)
    kept = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    kept.connect(path)
    kept.settimeout(10)
    assert len(read_exactly(kept, GREETING.size)) == GREETING.size
    kept.sendall(encode_job(_job("ASK {}")))
    _read_outcome(kept)
    kept.sendall(encode_job(_job(_SLOW)) + encode_job(_job("ASK { ?s ?p ?o }")))  # the second waits
    time.sleep(0.1)  # the evaluator is busy with the slow one: queue another connection meanwhile
    queued = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    queued.connect(path)
    queued.settimeout(10)
    queued.sendall(encode_job(_job("ASK {}")))
    assert _read_outcome(kept).kind == "ok"  # the slow one is answered
    assert kept.recv(16) == RELEASED  # then the connection is let go
    with pytest.raises(ConnectionResetError):  # closed with the second job unread
        kept.recv(16)
    assert len(read_exactly(queued, GREETING.size)) == GREETING.size
    assert _read_outcome(queued).kind == "ok"
    kept.close()
    queued.close()


def _read_outcome(channel: socket.socket) -> Outcome:
    header = read_exactly(channel, OUTCOME_HEADER_SIZE)
    return decode_outcome(header + read_exactly(channel, outcome_size(header) - OUTCOME_HEADER_SIZE))


def test_a_released_query_is_sent_again_without_counting_as_a_lost_evaluator(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """On the worker's side: RELEASED after a job means "sent again on a new connection", silently."""
    address = ServiceAddress.in_directory(tmp_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(address.socket_path))
    listener.listen(4)
    answer = Outcome(kind="ok", body=b"answer", content_type="text/plain")
    connections: list[int] = []

    def evaluator() -> None:  # answers once, lets the connection go when the next job comes, answers again
        for number in (1, 2):
            channel, _ = listener.accept()
            connections.append(number)
            with channel:
                channel.sendall(GREETING.pack(os.getpid()))
                read_job(channel)
                send_outcome(channel, answer)
                if number == 1:
                    read_job(channel)
                    channel.sendall(RELEASED)

    thread = threading.Thread(target=evaluator, daemon=True)
    thread.start()
    client = EvaluatorClient(address, deadline=5, retry_after=1)
    with caplog.at_level(logging.WARNING):
        assert client.run(_job("ASK {}")).body == b"answer"
        assert client.run(_job("ASK { ?s ?p ?o }")).body == b"answer"
    thread.join(5)
    listener.close()
    assert connections == [1, 2]
    assert not [record for record in caplog.records if "died" in record.getMessage()]


def test_an_evaluator_slowed_down_for_a_long_query_is_idle_at_full_priority(service: EvaluationService) -> None:
    """A query past 0.1 s lowers its evaluator's priority; the next query on the kept connection has its
    deadline running from the send, so the evaluator must not wait for it at the lower priority."""
    client = service.client()
    _count(client, "warm")
    (pid,) = client.pids()
    outcome = client.run(_job(_SLOW))
    assert outcome.kind == "ok"
    time.sleep(0.05)  # the evaluator restores its priority right after its answer
    assert os.getpriority(os.PRIO_PROCESS, pid) == 0


@pytest.mark.parametrize(
    ("effective_uid", "nice_limit", "slows_down"),
    [(0, 0, True), (1000, 0, False), (1000, 19, False), (1000, 20, True), (1000, resource.RLIM_INFINITY, True)],
)
def test_long_queries_are_slowed_down_only_where_the_priority_comes_back(
    effective_uid: int, nice_limit: int, slows_down: bool
) -> None:
    """An unprivileged evaluator could never undo a lowered priority (RLIMIT_NICE is 0 on most systems)."""
    assert priority_comes_back(effective_uid, nice_limit) is slows_down
