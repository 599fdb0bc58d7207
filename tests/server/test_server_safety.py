"""A public read-only endpoint: no updates, no outbound requests, no file reads, bounded work."""

from __future__ import annotations

import os
import signal
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox
import pytest

from core.settings import DataFile, Settings
from server.evaluation import Job, OutputFormat
from server.runner import EvaluationService
from tests.server.conftest import QUERY_TIMEOUT
from tests.server.server_support import ConnectionCounter, RunningServer, evaluator_pids

RECOVERY_SECONDS = 1.0  # from a full queue to answers again
HEAVY = (
    "SELECT (COUNT(*) AS ?n) WHERE { "
    + " ".join(f"VALUES ?v{i} {{ {' '.join(str(n) for n in range(200))} }}" for i in range(5))
    + " }"
)
TOTAL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def listener() -> Iterator[ConnectionCounter]:
    probe = ConnectionCounter()
    yield probe
    probe.close()


def _escape_all(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in text)


# (name, template, does pyoxigraph really call out when given this text?)
SERVICE_VARIANTS = [
    ("plain", "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }", True),
    ("lowercase", "select * where { service <{url}> { ?s ?p ?o } }", True),
    ("mixed-case", "SELECT * WHERE { sErViCe <{url}> { ?s ?p ?o } }", True),
    ("silent", "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }", True),
    ("variable", "SELECT * WHERE { VALUES ?e { <{url}> } SERVICE ?e { ?s ?p ?o } }", False),
    ("prefixed-name", "PREFIX r: <{base}> SELECT * WHERE { SERVICE r:sparql { ?s ?p ?o } }", True),
    ("escaped-iri", "SELECT * WHERE { SERVICE <{escaped_url}> { ?s ?p ?o } }", True),
    ("subquery", "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } } } }", True),
    ("exists", "SELECT * WHERE { BIND(1 AS ?x) FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }", True),
    ("optional", "SELECT * WHERE { BIND(1 AS ?x) OPTIONAL { SERVICE <{url}> { ?s ?p ?o } } }", True),
    ("ask", "ASK { SERVICE <{url}> { ?s ?p ?o } }", True),
    ("construct", "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }", True),
    ("no-spaces", "SELECT*{SERVICE<{url}>{?s ?p ?o}}", True),
    ("after-comment", "SELECT * WHERE { # a comment\nSERVICE <{url}> { ?s ?p ?o } }", True),
    ("after-string", 'SELECT * WHERE { BIND("}" AS ?x) SERVICE <{url}> { ?s ?p ?o } }', True),
    ("escaped-keyword", "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }", False),
    ("long-escaped-keyword", "SELECT * WHERE { \\U00000053ERVICE <{url}> { ?s ?p ?o } }", False),
    (
        "fully-escaped-keyword",
        "SELECT * WHERE { " + _escape_all("SERVICE") + " <{url}> { ?s ?p ?o } }",
        False,
    ),
]
HARMLESS = [
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1",
    'SELECT * WHERE { ?s ?p "SERVICE" } LIMIT 1',
    "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:service ?o } LIMIT 1",
    "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/> {}\nLIMIT 1",
]


def _render(template: str, listener: ConnectionCounter) -> str:
    url = listener.url
    return (
        template.replace("{escaped_url}", _escape_all(url))
        .replace("{base}", url.rsplit("/", 1)[0] + "/")
        .replace("{url}", url)
    )


@pytest.mark.parametrize(("name", "template", "live"), SERVICE_VARIANTS, ids=[v[0] for v in SERVICE_VARIANTS])
def test_service_refused(
    kg_server: RunningServer, listener: ConnectionCounter, name: str, template: str, live: bool
) -> None:
    query = _render(template, listener)
    for method in ("GET", "POST"):
        answer = kg_server.query(query, method=method)
        assert answer.status == 400, (name, answer.status, answer.text)
        assert "SERVICE" in answer.text
    time.sleep(0.1)
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("name", "template", "live"),
    [v for v in SERVICE_VARIANTS if v[2]],
    ids=[v[0] for v in SERVICE_VARIANTS if v[2]],
)
def test_service_corpus_is_real(listener: ConnectionCounter, name: str, template: str, live: bool) -> None:
    """Each live variant does make pyoxigraph connect when it is not stopped: the corpus tests something."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal("o")))
    try:
        result = store.query(_render(template, listener))
        if not isinstance(result, ox.QueryBoolean):
            list(result)
    except (OSError, RuntimeError, SyntaxError, ValueError):
        pass
    deadline = time.monotonic() + 2
    while listener.connections == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections >= 1, name


@pytest.mark.parametrize("query", HARMLESS)
def test_the_word_service_elsewhere_is_fine(kg_server: RunningServer, query: str) -> None:
    assert kg_server.query(query).status == 200


def _network_namespaces_permitted() -> bool:
    import ctypes

    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        ok = libc.unshare(0x40000000) == 0 or libc.unshare(0x10000000 | 0x40000000) == 0
        os._exit(0 if ok else 1)
    return os.waitpid(pid, 0)[1] == 0


def test_evaluators_have_no_network_even_past_the_checks(listener: ConnectionCounter, tmp_path: Path) -> None:
    """Defence in depth: a SERVICE that reached an evaluator still could not connect anywhere."""
    if not _network_namespaces_permitted():
        pytest.skip("this system does not permit private network namespaces")
    data = tmp_path / "empty.nt"
    data.write_text("", encoding="utf-8")
    service = EvaluationService(Settings(workers=1, query_timeout=5, data_files=(DataFile(data),)), tmp_path)
    service.start()
    try:
        job = Job(
            query=f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
            capped_query=None,
            default_graphs=None,
            named_graphs=None,
            results_format=OutputFormat("JSON", "application/sparql-results+json"),
            graph_format=None,
            max_rows=10,
        )
        outcome = service.client().run(job)
    finally:
        service.stop()
    assert outcome.kind == "error"
    time.sleep(0.1)
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        ("POST", "/sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
        ("POST", "/sparql", "update=CLEAR%20ALL", "application/x-www-form-urlencoded"),
        ("GET", "/sparql?update=CLEAR%20ALL", None, None),
        ("GET", "/sparql?query=" + urllib.parse.quote("INSERT DATA { <urn:a> <urn:b> <urn:c> }"), None, None),
        ("GET", "/sparql?query=" + urllib.parse.quote("CLEAR ALL"), None, None),
        ("GET", "/sparql?query=" + urllib.parse.quote("DROP ALL"), None, None),
        ("POST", "/sparql", "LOAD <http://127.0.0.1:9/data.ttl>", "application/sparql-query"),
    ],
)
def test_updates_refused(
    kg_server: RunningServer, method: str, path: str, body: str | None, content_type: str | None
) -> None:
    before = kg_server.query(TOTAL).json()
    answer = kg_server.request(method, path, body, {"Content-Type": content_type} if content_type else {})
    assert answer.status == 403, answer.text
    assert "read-only" in answer.text
    assert kg_server.query(TOTAL).json() == before


def test_from_never_reads_files_or_urls(kg_server: RunningServer, tmp_path: Path, listener: ConnectionCounter) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text("<urn:secret> <urn:is> <urn:leaked> .\n", encoding="utf-8")
    queries = [
        f"SELECT * FROM <{secret.as_uri()}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{secret.as_uri()}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}",
    ]
    for query in queries:
        answer = kg_server.query(query)
        assert answer.status == 200
        assert answer.json()["results"]["bindings"] == []  # type: ignore[index]
    via_parameter = kg_server.query(TOTAL, **{"default-graph-uri": secret.as_uri()})
    assert via_parameter.json()["results"]["bindings"][0]["n"]["value"] == "0"  # type: ignore[index]
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("SELECT * WHERE " + "{" * 5000 + "}" * 5000, 400, "deeper"),
        ("SELECT * WHERE { " + "{} UNION " * 1500 + "{} }", 400, "UNION"),
        ("ASK { FILTER(" + "(" * 3000 + "1" + ")" * 3000 + ") }", 400, "deeper"),
    ],
)
def test_engine_crashing_shapes_rejected(kg_server: RunningServer, query: str, status: int, message: str) -> None:
    answer = kg_server.query(query, method="POST")
    assert answer.status == status
    assert message in answer.text
    assert kg_server.query("ASK {}").status == 200


def test_deadline_gives_503_while_others_are_served(kg_server: RunningServer) -> None:
    with ThreadPoolExecutor(max_workers=1) as executor:
        started = time.monotonic()
        heavy = executor.submit(kg_server.query, HEAVY)
        time.sleep(0.3)
        quick_start = time.monotonic()
        quick = kg_server.query("ASK { ?s ?p ?o }")
        quick_elapsed = time.monotonic() - quick_start
        slow = heavy.result(timeout=QUERY_TIMEOUT + 20)
        elapsed = time.monotonic() - started
    assert quick.status == 200 and quick_elapsed < 1.5
    assert slow.status == 503, slow.text
    assert int(slow.header("retry-after")) >= 1
    assert "limit" in slow.text
    assert QUERY_TIMEOUT - 0.2 <= elapsed < QUERY_TIMEOUT + 5
    assert kg_server.query("ASK {}").status == 200


def test_killed_worker_is_replaced(kg_server: RunningServer) -> None:
    before = evaluator_pids(kg_server, expected=2)
    assert len(before) == 2
    os.kill(before[0], signal.SIGKILL)
    for index in range(6):  # distinct texts: an answer already in the response cache never reaches an evaluator
        assert kg_server.query(f"ASK {{ ?s ?p ?o }} # killed-worker {index}").status == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        after = evaluator_pids(kg_server)
        if len(after) == 2 and before[0] not in after:
            break
        time.sleep(0.1)
    assert len(after) == 2 and before[0] not in after
    assert kg_server.request("GET", "/health").json()["workers"] == 2  # type: ignore[index]


def test_full_queue_answers_503(kg_server: RunningServer) -> None:
    with ThreadPoolExecutor(max_workers=10) as executor:
        answers = list(executor.map(lambda _: kg_server.query(HEAVY), range(10)))
    busy = [a for a in answers if a.status == 503 and "busy" in a.text]
    assert busy, [a.status for a in answers]
    assert all(a.status == 503 and a.header("retry-after") for a in answers)
    # The evaluators killed at the deadline are replaced from a store loaded again (about 50 ms here), and
    # the queue still holds the connections of the clients that gave up: answers come back within a second.
    recovered_at = time.monotonic() + RECOVERY_SECONDS
    statuses = []
    while time.monotonic() < recovered_at and 200 not in statuses:
        statuses.append(kg_server.query(f"ASK {{}} # after a full queue {len(statuses)}").status)
        time.sleep(0.02)
    assert statuses[-1] == 200 and set(statuses) <= {200, 503}, statuses
