"""Shared pieces of the adversarial suite: the figures it reports, a keep-alive client, a well-behaved load.

The suite's claims are numbers (requests held, error rate, latency, faults survived, statuses of bad input,
outbound connections, data lost); every test adds what it measured to one :class:`Figures` object, which
the conftest writes to ``tests/artifacts/adversarial.json`` and prints, so the README's figures come from a
run rather than from memory.
"""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.server import server_support
from tests.server.server_support import BASE, ID, RunningServer

ARTIFACT = Path(__file__).resolve().parents[1] / "artifacts" / "adversarial.json"
# Every status the server may give to any request: 403 is its answer to SPARQL Update (read-only endpoint),
# 414 is gunicorn's answer, before the application, to a request line over 8,190 bytes (send long queries
# by POST); 206 and 416 are the dumps' answers to a Range header some byte, or no byte, of the file satisfies.
ALLOWED_STATUSES = frozenset({200, 206, 304, 400, 403, 404, 405, 406, 413, 414, 415, 416, 503})
DEADLINE = 2.0  # the adversarial server's --query-timeout
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
ONTOLOGY = BASE + "ontology/"


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of ``values``; 0 for an empty list."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


@dataclass
class Figures:
    """What the suite did and saw; safe to update from many client threads."""

    requests: int = 0
    well_behaved: int = 0
    well_behaved_failures: int = 0
    well_behaved_reconnects: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    baseline_p99_ms: float = 0.0
    under_attack_p99_ms: float = 0.0
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    fuzz_cases: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    bad_inputs: dict[str, dict[str, str]] = field(default_factory=dict)
    outbound_connections: int = 0
    dumps_checked: int = 0
    data_lost: int | None = None
    notes: dict[str, object] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def status(self, category: str, status: int) -> None:
        with self._lock:
            self.requests += 1
            self.statuses.setdefault(category, Counter())[status] += 1

    def good(self, latency: float, ok: bool) -> None:
        with self._lock:
            self.well_behaved += 1
            self.well_behaved_failures += 0 if ok else 1
            self.latencies_ms.append(latency * 1000)

    def summary(self) -> dict[str, object]:
        with self._lock:
            latencies = list(self.latencies_ms)
            statuses = {name: dict(sorted(c.items())) for name, c in sorted(self.statuses.items())}
            total_bad = Counter[int]()
            for name, counts in self.statuses.items():
                if name != "well-behaved":
                    total_bad.update(counts)
            return {
                "requests_held": self.requests,
                "well_behaved_requests": self.well_behaved,
                "well_behaved_failures": self.well_behaved_failures,
                "error_rate": round(self.well_behaved_failures / self.well_behaved, 6) if self.well_behaved else None,
                "keep_alive_reconnects": self.well_behaved_reconnects,
                "latency_ms": {
                    "p50": round(percentile(latencies, 0.50), 2),
                    "p99": round(percentile(latencies, 0.99), 2),
                    "mean": round(statistics.fmean(latencies), 2) if latencies else 0.0,
                    "baseline_p99": round(self.baseline_p99_ms, 2),
                    "under_attack_p99": round(self.under_attack_p99_ms, 2),
                },
                "fuzz_cases": dict(self.fuzz_cases) | {"total": sum(self.fuzz_cases.values())},
                "faults_survived": dict(self.faults),
                "bad_requests_by_status": dict(sorted(total_bad.items())),
                "statuses_by_category": statuses,
                "bad_inputs_at_start_or_build": self.bad_inputs,
                "outbound_connections": self.outbound_connections,
                "dumps_checked": self.dumps_checked,
                "data_lost": self.data_lost,
                "notes": self.notes,
                "wall_seconds": round(time.monotonic() - self.started, 1),
            }

    def write(self) -> dict[str, object]:
        summary = self.summary()
        ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
        ARTIFACT.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return summary


FIGURES = Figures()


class KeepAlive:
    """One persistent HTTP/1.1 connection, as a real client keeps; reopened when the server closed it.

    A request that fails on a connection that was idle is re-sent once on a fresh one, as HTTP clients do
    for idempotent requests (the server may close idle keep-alive connections at any time); the re-sends
    are counted so that the report shows them.
    """

    def __init__(self, server: RunningServer, timeout: float = 30) -> None:
        self.server = server
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def _open(self) -> http.client.HTTPConnection:
        if self._connection is None:
            self._connection = http.client.HTTPConnection(self.server.host, self.server.port, timeout=self.timeout)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            reused = self._connection is not None
            connection = self._open()
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                data = response.read()
            except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
                self.close()
                if attempt == 1 and reused:
                    self.reconnects += 1
                    continue
                raise
            if response.will_close:
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        raise AssertionError("unreachable")


# The well-behaved load: small, typical lookups. A counter in a comment makes every text new, so each
# request is really evaluated by an evaluator process instead of being answered from the response cache.
GOOD_QUERIES = (
    f"SELECT ?label WHERE {{ <{ID}morocco> <{RDFS}label> ?label }}",
    f"ASK {{ ?s a <{ONTOLOGY}Institute> }}",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{ONTOLOGY}Theme> }}",
    f"SELECT ?s ?label WHERE {{ ?s a <{ONTOLOGY}City> ; <{RDFS}label> ?label }} ORDER BY ?s LIMIT 5",
    f"DESCRIBE <{ID}jazari-root>",
)
_counter = itertools.count()
_counter_lock = threading.Lock()


def good_request_path() -> str:
    with _counter_lock:
        number = next(_counter)
    query = GOOD_QUERIES[number % len(GOOD_QUERIES)] + f"\n# request {number}"
    return "/sparql?" + urllib.parse.urlencode({"query": query})


class GoodClient(threading.Thread):
    """A well-behaved client on a keep-alive connection, until ``stop`` is set or ``count`` requests."""

    def __init__(self, server: RunningServer, stop: threading.Event, count: int | None = None) -> None:
        super().__init__(daemon=True)
        self.client = KeepAlive(server)
        self.stop = stop
        self.count = count
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        done = 0
        while not self.stop.is_set() and (self.count is None or done < self.count):
            started = time.monotonic()
            try:
                status, _, body = self.client.request("GET", good_request_path(), headers={"Accept": "*/*"})
                ok = status == 200
                if not ok:
                    self.failures.append(f"{status}: {body[:200]!r}")
            except (OSError, http.client.HTTPException) as error:
                ok = False
                self.failures.append(repr(error))
                status = 0
            elapsed = time.monotonic() - started
            self.latencies.append(elapsed)
            FIGURES.good(elapsed, ok)
            FIGURES.status("well-behaved", status)
            done += 1
        self.client.close()
        with FIGURES._lock:
            FIGURES.well_behaved_reconnects += self.client.reconnects


def run_good_clients(server: RunningServer, clients: int, count: int) -> list[GoodClient]:
    """Run ``clients`` well-behaved clients for ``count`` requests each and wait for them."""
    stop = threading.Event()
    threads = [GoodClient(server, stop, count) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return threads


class ConnectionCounter(server_support.ConnectionCounter):
    """The shared loopback counter, adding what it saw to the suite's figures when closed."""

    def close(self) -> int:
        connections = super().close()
        with FIGURES._lock:
            FIGURES.outbound_connections += connections
        return connections
