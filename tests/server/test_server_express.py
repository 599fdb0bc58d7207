"""The express lane answers exactly what the Flask app answers, and it does answer.

Two real servers on the same build, one HTTP worker each: the default (plain queries and repeated answers
served on the event loop) and one with ``KG_EXPRESS=false`` (every request through the app). Each request
is sent three times to both (a new query, an answer asked for again, a replay), and every status, header
and body must be the same, apart from ``Date``. ``/health`` counts what each worker answered on its loop,
so a lane that silently stopped answering fails here too.
"""

from __future__ import annotations

import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.express import unquote_plus_fast
from tests.server.server_support import Answer, RunningServer, running_server

SELECT = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s LIMIT 3"
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 4"
MANY = "SELECT ?s WHERE { ?s ?p ?o }"  # over the row cap: X-Result-Truncated
# one pattern, and fewer matches than --inline-max-matches (the fixture has 14 labels, 16 types, 32 quads)
LABELS = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l ?s"
LABELS_IN_ENGLISH = (
    'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT * { ?s rdfs:label ?l FILTER(LANG(?l) = "en") }'
)
TYPES = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c }"
INLINE_MAX_MATCHES = 20
# one row holding a 4 MiB literal, built by doubling: an answer that reaches the worker in many reads
LONG = (
    'SELECT ?s21 WHERE { BIND("abcd" AS ?s0) '
    + " ".join(f"BIND(CONCAT(?s{n}, ?s{n}) AS ?s{n + 1})" for n in range(21))
    + " }"
)

CASES = [
    ("select-json", {"query": SELECT}, {"Accept": "application/sparql-results+json"}),
    ("select-xml", {"query": SELECT}, {"Accept": "application/sparql-results+xml"}),
    ("select-csv-param", {"query": SELECT, "format": "csv"}, {}),
    ("select-tsv-output", {"query": SELECT, "output": "tsv"}, {"Accept": "*/*"}),
    ("select-no-accept", {"query": SELECT}, {}),
    ("select-quality", {"query": SELECT}, {"Accept": "application/sparql-results+xml;q=0.5, text/csv"}),
    ("ask", {"query": ASK}, {"Accept": "application/sparql-results+json"}),
    ("construct-turtle", {"query": CONSTRUCT}, {"Accept": "text/turtle"}),
    ("construct-ntriples", {"query": CONSTRUCT, "format": "n3"}, {"Accept": "application/n-triples"}),
    ("truncated", {"query": MANY}, {"Accept": "text/csv"}),
    ("long-answer", {"query": LONG}, {"Accept": "application/sparql-results+json"}),
    ("unknown-parameter", {"query": ASK, "_": "12345"}, {"Accept": "application/sparql-results+json"}),
    ("french", {"query": ASK}, {"Accept": "application/sparql-results+json", "Accept-Language": "fr"}),
    ("host", {"query": "SELECT ?x WHERE { BIND(<rel> AS ?x) }"}, {"Accept": "text/csv", "Host": "kg.example"}),
    ("malformed", {"query": "SELEC ?s"}, {"Accept": "application/sparql-results+json"}),
    ("not-acceptable", {"query": CONSTRUCT}, {"Accept": "text/csv"}),
    ("evaluation-error", {"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY ?nope("}, {}),
    ("refused-service", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, {}),
    ("browser", {"query": ASK}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}),
    ("dataset", {"query": ASK, "default-graph-uri": "http://example.org/none"}, {}),
    ("two-formats", {"query": ASK, "format": "json"}, {"Accept": "application/sparql-results+xml"}),
    ("conditional", {"query": ASK}, {"Accept": "application/sparql-results+json", "If-None-Match": '"x"'}),
    # one pattern, few matches: answered by the worker's own copy of the store
    ("inline-truncated", {"query": LABELS}, {"Accept": "application/sparql-results+json"}),
    ("inline-filter-csv", {"query": LABELS_IN_ENGLISH, "format": "csv"}, {}),
    ("inline-construct", {"query": TYPES}, {"Accept": "text/turtle"}),
    ("inline-ask", {"query": "ASK { ?s a ?c }"}, {"Accept": "application/sparql-results+xml"}),
    ("inline-not-acceptable", {"query": TYPES}, {"Accept": "text/csv"}),
    ("inline-engine-error", {"query": LABELS + " OFFSET 99999999999999999999999"}, {}),
]


def _arguments(build: Path) -> list[str]:
    return [
        *("--build-dir", str(build), "--http-workers", "1", "--workers", "1", "--max-rows", "5"),
        *("--inline-max-matches", str(INLINE_MAX_MATCHES)),
    ]


def _wait_for_the_inline_store(server: RunningServer) -> None:
    """The worker loads its copy while it serves; the comparisons below need it in use."""
    deadline = time.monotonic() + 30
    while _worker_health(server)["inline_store"] != "ready":
        assert time.monotonic() < deadline, "the HTTP worker's copy of the store did not load"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def servers(fixture_build: Path) -> Iterator[tuple[RunningServer, RunningServer]]:
    with running_server(_arguments(fixture_build)) as express:
        _wait_for_the_inline_store(express)
        os.environ["KG_EXPRESS"] = "false"
        try:
            app_only = running_server(_arguments(fixture_build))
            app_server = app_only.__enter__()
        finally:
            del os.environ["KG_EXPRESS"]
        try:
            yield express, app_server
        finally:
            app_only.__exit__(None, None, None)


def _get(server: RunningServer, parameters: dict[str, str], headers: dict[str, str]) -> Answer:
    """GET /sparql under one Host for both servers (the base IRI, and so the ETag, depends on it)."""
    path = "/sparql?" + urllib.parse.urlencode(parameters)
    return server.request("GET", path, None, {"Host": "kg.test", **headers})


def _comparable(answer: Answer) -> tuple[int, dict[str, str], bytes]:
    headers = {name: value for name, value in answer.headers.items() if name not in ("date", "server")}
    return answer.status, headers, answer.body


def _worker_health(server: RunningServer) -> dict[str, Any]:
    worker: dict[str, Any] = json.loads(server.request("GET", "/health").body)["http_worker"]
    return worker


def _loop_counts(server: RunningServer) -> dict[str, int]:
    worker = _worker_health(server)
    return {kind: worker.get(kind, 0) for kind in ("express", "replayed", "inline")}


@pytest.mark.parametrize(("name", "parameters", "headers"), CASES, ids=[case[0] for case in CASES])
def test_the_same_answer_by_either_path(
    servers: tuple[RunningServer, RunningServer], name: str, parameters: dict[str, str], headers: dict[str, str]
) -> None:
    express, app_only = servers
    for attempt in range(3):  # a new query, the same one (answer cache), the same one again (replay)
        expected = _comparable(_get(app_only, parameters, headers))
        assert _comparable(_get(express, parameters, headers)) == expected, f"{name}, request {attempt + 1}"


def test_a_long_answer_arrives_whole(servers: tuple[RunningServer, RunningServer]) -> None:
    """4 MiB from the evaluator, read in many pieces into one buffer, and every byte of it sent."""
    express, _ = servers
    answer = _get(express, {"query": LONG + " # whole"}, {"Accept": "application/sparql-results+json"})
    assert answer.status == 200
    (row,) = json.loads(answer.body)["results"]["bindings"]
    assert row["s21"]["value"] == "abcd" * 2**21


def test_plain_queries_are_answered_on_the_loop_and_repeats_replayed(
    servers: tuple[RunningServer, RunningServer],
) -> None:
    express, app_only = servers
    query = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2 OFFSET 17"}
    accept = {"Accept": "application/sparql-results+json"}
    before = _loop_counts(express)
    for _ in range(4):
        assert _get(express, query, accept).status == 200
    after = _loop_counts(express)
    # first answer evaluated on the loop, second offered to the replays, third and fourth replayed
    assert after["express"] - before["express"] == 2
    assert after["replayed"] - before["replayed"] == 2
    assert after["inline"] == before["inline"]  # 32 matches: more than the worker answers itself
    assert _loop_counts(app_only) == {"express": 0, "replayed": 0, "inline": 0}
    assert _worker_health(app_only)["inline_store"] == "off"


@pytest.mark.parametrize(
    ("query", "inline"),
    [
        ('SELECT ?s WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> "none %d"@en }', True),
        ("SELECT ?s WHERE { ?s a ?c } LIMIT %d", True),  # 16 matches
        ("SELECT ?s WHERE { ?s ?p ?o } LIMIT %d", False),  # 32 matches
        ("SELECT ?s WHERE { ?s a ?c . ?s ?p ?o } LIMIT %d", False),  # two patterns
    ],
    ids=["lookup", "few-matches", "too-many-matches", "two-patterns"],
)
def test_one_pattern_of_few_matches_is_answered_by_the_worker(
    servers: tuple[RunningServer, RunningServer], query: str, inline: bool
) -> None:
    express, _ = servers
    before = _loop_counts(express)
    answer = _get(express, {"query": query % (1000 + len(query))}, {"Accept": "application/sparql-results+json"})
    assert answer.status == 200
    after = _loop_counts(express)
    assert after["express"] - before["express"] == 1
    assert after["inline"] - before["inline"] == (1 if inline else 0)


def test_saved_query_answers_are_replayed_as_the_app_sent_them(servers: tuple[RunningServer, RunningServer]) -> None:
    express, app_only = servers
    path, host = "/queries/actors?format=json", {"Host": "kg.test"}
    first = express.request("GET", path, None, host)
    before = _loop_counts(express)["replayed"]
    again = [express.request("GET", path, None, host) for _ in range(3)]
    assert _loop_counts(express)["replayed"] - before >= 2
    expected = _comparable(app_only.request("GET", path, None, host))
    for answer in again:
        assert _comparable(answer) == _comparable(first) == expected


def test_a_conditional_request_still_gets_its_304(servers: tuple[RunningServer, RunningServer]) -> None:
    express, _ = servers
    parameters, accept = {"query": ASK}, {"Accept": "application/sparql-results+json"}
    etag = _get(express, parameters, accept).header("etag")
    assert etag
    assert _get(express, parameters, {**accept, "If-None-Match": etag}).status == 304


_URL_TEXT = st.text(alphabet=st.sampled_from("ab =+%&#é\n\t\x00{}<>\"'?/2FAaz09"), max_size=40)


@settings(max_examples=3000, deadline=None)
@given(raw=_URL_TEXT, encoded=_URL_TEXT.map(urllib.parse.quote_plus))
def test_the_fast_unquote_reads_query_strings_as_the_standard_one(raw: str, encoded: str) -> None:
    """Raw text (stray ``%``, ``=``, ``+``, non-ASCII) and well-formed escapes alike."""
    for text in (raw, encoded, encoded + raw, raw + encoded):
        assert unquote_plus_fast(text) == urllib.parse.unquote_plus(text, errors="replace")
