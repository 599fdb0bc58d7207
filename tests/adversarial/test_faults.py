"""Faults under load: evaluators killed with SIGKILL, the whole server stopped with SIGTERM, then restarted.

The endpoint is read-only, so a query whose evaluator died is simply run again on a fresh one: clients
must see no failure at all. SIGTERM must let the requests already in flight finish (the workers' graceful
stop), end every process, and a restart on the same build must serve the same data (same version).
"""

from __future__ import annotations

import os
import random
import signal
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.adversarial.adversarial_support import FIGURES, GoodClient
from tests.server.server_support import RunningServer, descendants, evaluator_pids, processes_named, running_server

KILL_EVERY = 1.5  # seconds between two kills
CLIENTS = 3


def _kill_evaluators_under_load(server: RunningServer, seconds: float) -> None:
    stop = threading.Event()
    clients = [GoodClient(server, stop) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    killed: list[int] = []
    chooser = random.Random(6)
    try:
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            time.sleep(KILL_EVERY)
            pids = evaluator_pids(server)
            if pids:
                victim = chooser.choice(pids)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
    finally:
        stop.set()
        for client in clients:
            client.join()
    FIGURES.faults["evaluator SIGKILL"] += len(killed)
    failures = [f for c in clients for f in c.failures]
    served = sum(len(c.latencies) for c in clients)
    assert killed and served > len(killed) * 10
    assert not failures, failures[:5]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pids = evaluator_pids(server)
        if len(pids) == 2 and not set(pids) & set(killed):
            break
        time.sleep(0.1)
    assert len(pids) == 2 and not set(pids) & set(killed), (pids, killed)
    assert server.request("GET", "/health").json()["workers"] == 2  # type: ignore[index]


def test_sigkill_of_evaluators_under_load_loses_no_request(adv_server: RunningServer) -> None:
    _kill_evaluators_under_load(adv_server, 12)


@pytest.mark.slow
def test_sigkill_of_evaluators_for_a_minute(adv_server: RunningServer) -> None:
    _kill_evaluators_under_load(adv_server, 60)


def _slow_query(number: int) -> str:
    """About half a second of evaluation; the number makes each text new (no cached answer)."""
    values = " ".join(f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(200))} }}" for i in range(3))
    return f"SELECT (COUNT(*) AS ?n) WHERE {{ {values} }} # in flight {number}"


def test_sigterm_drains_in_flight_requests_and_a_restart_serves_the_same_data(adv_build: Path) -> None:
    arguments = ["--build-dir", str(adv_build), "--workers", "2", "--query-timeout", "10"]
    with running_server(arguments) as server:
        version = server.request("GET", "/health").json()["version"]  # type: ignore[index]
        family = set(descendants(server.process.pid))
        with ThreadPoolExecutor(max_workers=4) as executor:
            in_flight = [executor.submit(server.query, _slow_query(n)) for n in range(4)]
            time.sleep(0.3)
            server.process.send_signal(signal.SIGTERM)
            stopped_at = time.monotonic()
            answers = [future.result(timeout=30) for future in in_flight]
        code = server.process.wait(timeout=20)
        stop_seconds = time.monotonic() - stopped_at
    for answer in answers:
        FIGURES.status("sigterm drain", answer.status)
    FIGURES.faults["server SIGTERM under load"] += 1
    FIGURES.notes["sigterm"] = {"in_flight": len(answers), "exit_code": code, "seconds_to_exit": round(stop_seconds, 2)}
    assert [a.status for a in answers] == [200] * len(answers), [a.text[:200] for a in answers]
    assert code == 0
    left = _survivors(family, within=5.0)
    assert not left, f"processes survived the server: {left}"

    with running_server(arguments) as restarted:
        health = restarted.request("GET", "/health").json()
        answer = restarted.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    FIGURES.faults["restart"] += 1
    assert health["version"] == version  # type: ignore[index]
    assert answer.status == 200


def _survivors(family: set[int], within: float) -> list[int]:
    """The processes of ``family`` still running after ``within`` seconds (an exit takes a moment to be reaped)."""
    deadline = time.monotonic() + within
    while True:
        left = [pid for pid in family if Path(f"/proc/{pid}").exists() and _not_zombie(pid)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.05)


def _not_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_requests_after_sigterm_are_refused_not_hung(adv_build: Path) -> None:
    """Once the server stopped, a client gets a refused connection at once (never a hang)."""
    with running_server(["--build-dir", str(adv_build), "--workers", "1"]) as server:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(timeout=20)
        started = time.monotonic()
        with pytest.raises(OSError):
            server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), timeout=5)
        assert time.monotonic() - started < 2


def test_a_killed_evaluation_service_is_replaced_and_queries_answered_again(adv_build: Path) -> None:
    """Evaluators are forked by the evaluation service, which holds the store; they die with it.

    The supervisor starts a fresh service (a fresh interpreter, which loads the data again and forks fresh
    evaluators); meanwhile queries wait for it, within their deadline.
    """
    with running_server(["--build-dir", str(adv_build), "--workers", "2"]) as server:
        services = processes_named(server, "kg-evaluation")
        assert len(services) == 1
        os.kill(services[0], signal.SIGKILL)
        FIGURES.faults["evaluation service SIGKILL"] += 1
        deadline = time.monotonic() + 30
        recovered = False
        while time.monotonic() < deadline and not recovered:
            time.sleep(0.2)
            fresh = [pid for pid in processes_named(server, "kg-evaluation") if pid not in services]
            recovered = (
                bool(fresh)
                and len(evaluator_pids(server)) == 2
                and server.request("GET", "/health").json()["workers"] == 2  # type: ignore[index]
            )  # the processes first, then the service's status file, which /health reads
        assert recovered, f"no fresh service with 2 evaluators within 30 s: {descendants(server.process.pid)}"
        answer = server.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert answer.status == 200, answer.text[:200]
