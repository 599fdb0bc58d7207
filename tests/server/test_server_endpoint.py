"""The /sparql endpoint over HTTP: protocol errors, negotiation, named graphs, the row cap, CORS."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.server.conftest import MAX_ROWS
from tests.server.server_support import ACTOR_COUNT, BASE, KG, RunningServer

ACTORS = f"SELECT ?actor WHERE {{ ?actor a <{KG}Actor> }} ORDER BY ?actor"
FACTS = BASE + "graph/facts/interview-1"


def test_select_json(kg_server: RunningServer) -> None:
    answer = kg_server.query(
        f"SELECT ?label WHERE {{ <{BASE}id/digital-morocco-2030> ?p ?label . FILTER(isLiteral(?label)) }}"
    )
    assert answer.status == 200
    assert answer.header("content-type") == "application/sparql-results+json; charset=utf-8"
    bindings = answer.json()["results"]["bindings"]  # type: ignore[index]
    assert [b["label"]["value"] for b in bindings] == ["Maroc Digital 2030"]
    assert bindings[0]["label"]["xml:lang"] == "fr"


def test_malformed_query_gets_parser_message(kg_server: RunningServer) -> None:
    answer = kg_server.query("SELECT ?x WHERE { ?x ?p }")
    assert answer.status == 400
    assert answer.header("content-type") == "text/plain; charset=utf-8"
    assert "malformed query" in answer.text and "error at 1:" in answer.text
    assert "Traceback" not in answer.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_get_405(kg_server: RunningServer, method: str) -> None:
    answer = kg_server.request(method, "/sparql?query=ASK%7B%7D")
    assert answer.status == 405
    assert "POST" in answer.header("allow") and "GET" in answer.header("allow")


@pytest.mark.parametrize(
    ("query", "accept", "params"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "image/png", {}),
        ("ASK {}", "text/turtle", {}),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/sparql-results+json", {}),
        ("CONSTRUCT WHERE { ?s ?p ?o }", None, {"format": "csv"}),
        ("SELECT * WHERE { ?s ?p ?o }", None, {"format": "turtle"}),
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json;q=0, text/csv;q=0", {}),
    ],
)
def test_nothing_acceptable_gets_406(kg_server: RunningServer, query: str, accept: str | None, params: dict) -> None:
    answer = kg_server.query(query, accept=accept, **params)
    assert answer.status == 406, answer.text
    assert "charset=utf-8" in answer.header("content-type")


def test_oversized_body_gets_413(kg_server: RunningServer) -> None:
    body = "ASK {}" + " " * 70_000
    answer = kg_server.request("POST", "/sparql", body, {"Content-Type": "application/sparql-query"})
    assert answer.status == 413
    form = "query=" + "%20" * 30_000
    answer = kg_server.request("POST", "/sparql", form, {"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 413


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/json", "", "application/sparql-query; charset=latin-1"]
)
def test_wrong_media_type_gets_415(kg_server: RunningServer, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answer = kg_server.request("POST", "/sparql", "ASK {}", headers)
    assert answer.status == 415


def test_several_queries_get_400(kg_server: RunningServer) -> None:
    assert kg_server.request("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status == 400
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert kg_server.request("POST", "/sparql?query=ASK%7B%7D", "query=ASK%7B%7D", form).status == 400
    assert kg_server.request("POST", "/sparql", "format=json", form).status == 400


@pytest.mark.parametrize(
    ("accept", "params", "expected"),
    [
        (None, {}, "application/sparql-results+json"),
        ("*/*", {}, "application/sparql-results+json"),
        ("application/sparql-results+xml", {}, "application/sparql-results+xml"),
        ("application/json", {}, "application/sparql-results+json"),
        ("text/csv", {}, "text/csv"),
        ("text/tab-separated-values", {}, "text/tab-separated-values"),
        (
            "application/sparql-results+json;q=0.5, application/sparql-results+xml",
            {},
            "application/sparql-results+xml",
        ),
        ("text/csv;q=0.2, text/tab-separated-values;q=0.9", {}, "text/tab-separated-values"),
        ("application/sparql-results+json,*/*;q=0.9", {}, "application/sparql-results+json"),
        ("application/sparql-results+xml", {"format": "json"}, "application/sparql-results+json"),
        (None, {"output": "tsv"}, "text/tab-separated-values"),
        (None, {"results": "csv"}, "text/csv"),
        (None, {"format": "application/sparql-results+xml"}, "application/sparql-results+xml"),
    ],
)
def test_select_negotiation(kg_server: RunningServer, accept: str | None, params: dict, expected: str) -> None:
    answer = kg_server.query(ACTORS, accept=accept, **params)
    assert answer.status == 200
    assert answer.header("content-type") == f"{expected}; charset=utf-8"


@pytest.mark.parametrize(
    ("accept", "params", "expected"),
    [
        (None, {}, "text/turtle"),
        ("application/n-triples", {}, "application/n-triples"),
        ("application/rdf+xml", {}, "application/rdf+xml"),
        ("application/ld+json", {}, "application/ld+json"),
        ("application/n-quads", {}, "application/n-quads"),
        ("text/turtle,*/*;q=0.9", {}, "text/turtle"),
        (None, {"format": "rdf+xml"}, "application/rdf+xml"),
        (None, {"format": "json-ld"}, "application/ld+json"),
        (None, {"format": "json"}, "application/ld+json"),
        (None, {"format": "xml"}, "application/rdf+xml"),
        (None, {"format": "n3"}, "text/n3"),
    ],
)
def test_graph_negotiation(kg_server: RunningServer, accept: str | None, params: dict, expected: str) -> None:
    answer = kg_server.query(f"DESCRIBE <{BASE}id/digital-morocco-2030>", accept=accept, **params)
    assert answer.status == 200
    assert answer.header("content-type") == f"{expected}; charset=utf-8"
    assert b"digital-morocco-2030" in answer.body


def test_default_graph_is_union_and_graph_reaches_each(kg_server: RunningServer) -> None:
    graphs = kg_server.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g").json()
    names = [b["g"]["value"] for b in graphs["results"]["bindings"]]  # type: ignore[index]
    assert names == sorted(
        BASE + f"graph/{name}" for name in ("facts/interview-1", "inferences", "ontology", "provenance")
    )
    union = kg_server.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    assert int(union["results"]["bindings"][0]["n"]["value"]) == 3 + 27 + 1 + 1  # type: ignore[index]


def test_dataset_parameters_select_held_graphs(kg_server: RunningServer) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_facts = kg_server.query(count, **{"default-graph-uri": FACTS}).json()
    assert only_facts["results"]["bindings"][0]["n"]["value"] == "27"  # type: ignore[index]
    named = kg_server.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": FACTS}).json()
    assert [b["g"]["value"] for b in named["results"]["bindings"]] == [FACTS]  # type: ignore[index]
    in_query = kg_server.query(f"SELECT (COUNT(*) AS ?n) FROM <{FACTS}> WHERE {{ ?s ?p ?o }}").json()
    assert in_query["results"]["bindings"][0]["n"]["value"] == "27"  # type: ignore[index]
    assert kg_server.query(count, **{"default-graph-uri": "not an iri"}).status == 400


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_row_cap_truncates_with_header(kg_server: RunningServer, accept: str) -> None:
    answer = kg_server.query(ACTORS, accept=accept)
    assert answer.status == 200
    assert answer.header("x-result-truncated") == "true"
    text = answer.text
    if accept.endswith("json"):
        rows = [b["actor"]["value"] for b in json.loads(text)["results"]["bindings"]]
    elif accept.endswith("xml"):
        rows = text.split("<result>")[1:]
    else:
        rows = list(csv.reader(io.StringIO(text), delimiter="\t" if "tab" in accept else ","))[1:]
    assert len(rows) == MAX_ROWS
    if accept.endswith("json"):
        assert rows == sorted(rows) and rows[0].endswith("actor-1")


def test_row_cap_keeps_variable_order_and_small_results(kg_server: RunningServer) -> None:
    query = f"SELECT ?label ?actor WHERE {{ ?actor a <{KG}Actor> ; ?p ?label FILTER(isLiteral(?label)) }} LIMIT 3"
    answer = kg_server.query(query)
    assert answer.header("x-result-truncated") == "false"
    assert answer.json()["head"]["vars"] == ["label", "actor"]  # type: ignore[index]
    assert len(answer.json()["results"]["bindings"]) == 3  # type: ignore[index]


def test_row_cap_applies_to_graphs(kg_server: RunningServer) -> None:
    answer = kg_server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert answer.header("x-result-truncated") == "true"
    assert len(answer.text.strip().splitlines()) == MAX_ROWS
    assert ACTOR_COUNT > MAX_ROWS


def test_cors(kg_server: RunningServer) -> None:
    answer = kg_server.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "https://yasgui.example"})
    assert answer.header("access-control-allow-origin") == "*"
    assert "access-control-allow-credentials" not in answer.headers
    preflight = kg_server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status in (200, 204)
    assert preflight.header("access-control-allow-origin") == "*"
    assert "POST" in preflight.header("access-control-allow-methods")
    assert "content-type" in preflight.header("access-control-allow-headers").lower()
    assert "access-control-allow-credentials" not in preflight.headers
