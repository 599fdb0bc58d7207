"""No request ever leaves the server: SERVICE in every disguise, FROM and dataset parameters at files and hosts.

Every SERVICE variant must be refused with a 4xx before evaluation, whatever the spelling. ``FROM``,
``FROM NAMED``, ``default-graph-uri`` and ``named-graph-uri`` are different: in the SPARQL 1.1 Protocol
they name graphs of the dataset, and a graph the server does not hold is an empty graph. The decision
here is to answer those with 200 and an empty result (what the protocol's semantics give, and what
clients such as SPARQLWrapper expect), and to prove the part that matters: no connection reaches the
listener, and no byte of the named file appears in any answer.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from tests.adversarial.adversarial_support import FIGURES, ConnectionCounter, KeepAlive
from tests.server.server_support import RunningServer

SECRET = "adversarial-secret-6f1c"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT = {"Content-Type": "application/sparql-query"}
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"


def _escape(text: str) -> str:
    return "".join(f"\\u{ord(c):04X}" for c in text)


def service_corpus(url: str) -> dict[str, str]:
    """SERVICE queries that pyoxigraph (or a spec-following engine) would send to ``url``."""
    base, local = url.rsplit("/", 1)
    body = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {body} }}",
        "mixed-case": f"SELECT * WHERE {{ SeRvIcE <{url}> {body} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{url}> {body} }}",
        "silent-lowercase": f"select * where {{ service silent <{url}> {body} }}",
        "escaped-keyword": f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {body} }}",
        "escaped-keyword-long": f"SELECT * WHERE {{ \\U00000053\\U00000045RVICE <{url}> {body} }}",
        "fully-escaped-keyword": f"SELECT * WHERE {{ {_escape('service')} <{url}> {body} }}",
        "escaped-iri": f"SELECT * WHERE {{ SERVICE <{_escape(url)}> {body} }}",
        "half-escaped-iri": f"SELECT * WHERE {{ SERVICE <{url[:10]}{_escape(url[10:])}> {body} }}",
        "prefixed-name": f"PREFIX r: <{base}/> SELECT * WHERE {{ SERVICE r:{local} {body} }}",
        "prefixed-escaped-prefix": f"PREFIX r: <{_escape(base)}/> SELECT * WHERE {{ SERVICE r:{local} {body} }}",
        "relative-iri": f"BASE <{base}/> SELECT * WHERE {{ SERVICE <{local}> {body} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {body} }}",
        "silent-variable": f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE SILENT ?e {body} }}",
        "nested-groups": f"SELECT * WHERE {{ {{ {{ {{ SERVICE <{url}> {body} }} }} }} }}",
        "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {body} }} }} }}",
        "nested-subqueries": f"SELECT * {{ {{ SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {body} }} }} }} }} }}",
        "union-branch": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {body} }} }}",
        "minus": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE <{url}> {body} }} }}",
        "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE <{url}> {body} }} }}",
        "optional": f"SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> {body} }} }}",
        "not-exists": f"SELECT * WHERE {{ BIND(1 AS ?x) FILTER NOT EXISTS {{ SERVICE <{url}> {body} }} }}",
        "ask": f"ASK {{ SERVICE <{url}> {body} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {body} }}",
        "describe": f"DESCRIBE ?s WHERE {{ SERVICE <{url}> {body} }}",
        "no-whitespace": f"SELECT*{{SERVICE<{url}>{body}}}",
        "tabs-and-comments": f"SELECT * WHERE {{\t#x\nSERVICE\t#y\n<{url}>\t{body} }}",
        "after-tricky-string": f'SELECT * WHERE {{ BIND("\\"}} #" AS ?x) SERVICE <{url}> {body} }}',
    }


def _send_all_ways(client: KeepAlive, query: str, extra: dict[str, str] | None = None) -> list[tuple[int, bytes]]:
    """The query by GET, by form POST and by direct POST (parameters in the URL)."""
    params = {"query": query, **(extra or {})}
    url_params = urllib.parse.urlencode(extra or {})
    answers = []
    for method, path, body, headers in (
        ("GET", "/sparql?" + urllib.parse.urlencode(params), None, {}),
        ("POST", "/sparql", urllib.parse.urlencode(params).encode(), FORM),
        ("POST", "/sparql" + (f"?{url_params}" if url_params else ""), query.encode(), DIRECT),
    ):
        status, _, data = client.request(method, path, body, {"Accept": ACCEPT, **headers})
        FIGURES.status("outbound", status)
        answers.append((status, data))
    return answers


def test_every_service_variant_is_refused_and_nothing_connects(adv_server: RunningServer) -> None:
    listener = ConnectionCounter()
    client = KeepAlive(adv_server)
    refused: dict[str, list[int]] = {}
    try:
        for name, query in service_corpus(listener.url).items():
            refused[name] = [status for status, _ in _send_all_ways(client, query)]
        update = f"LOAD <{listener.url}>"
        status, _, _ = client.request("POST", "/sparql", update.encode(), {"Content-Type": "application/sparql-update"})
        FIGURES.status("outbound", status)
        refused["load-update"] = [status]
    finally:
        client.close()
        connections = listener.close()
    FIGURES.notes["service_variants"] = len(refused)
    wrong = {name: statuses for name, statuses in refused.items() if not all(400 <= s < 500 for s in statuses)}
    assert not wrong, wrong
    assert connections == 0


def test_dataset_selection_never_reads_files_or_urls(adv_server: RunningServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.ttl"
    secret.write_text(f'<urn:s> <urn:p> "{SECRET}" .\n', encoding="utf-8")
    listener = ConnectionCounter()
    targets = [secret.as_uri(), "file:///etc/passwd", "file:///proc/self/environ", listener.url, f"{listener.url}?x=1"]
    client = KeepAlive(adv_server)
    statuses: list[int] = []
    bodies: list[bytes] = []
    try:
        for target in targets:
            queries = [
                f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
                f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                f"SELECT * FROM <{target}> FROM NAMED <{target}> "
                "WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                f"CONSTRUCT {{ ?s ?p ?o }} FROM <{target}> WHERE {{ ?s ?p ?o }}",
                f"ASK FROM <{target}> {{ ?s ?p ?o }}",
            ]
            for query in queries:
                for status, body in _send_all_ways(client, query):
                    statuses.append(status)
                    bodies.append(body)
            count = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            for parameters in (
                {"default-graph-uri": target},
                {"named-graph-uri": target},
                {"default-graph-uri": target, "named-graph-uri": target},
            ):
                for status, body in _send_all_ways(client, count, parameters):
                    statuses.append(status)
                    bodies.append(body)
                    assert status != 200 or b'"value":"0"' in body, body[:300]
    finally:
        client.close()
        connections = listener.close()
    FIGURES.notes["dataset_selection_requests"] = len(statuses)
    assert set(statuses) <= {200, 400}, sorted(set(statuses))
    leaked = [b for b in bodies if SECRET.encode() in b or b"root:x:0" in b or b"PATH=" in b]
    assert not leaked, leaked[0][:300]
    assert connections == 0


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_must_be_absolute_iris(adv_server: RunningServer, parameter: str) -> None:
    client = KeepAlive(adv_server)
    try:
        for value in ("../../etc/passwd", "/etc/passwd", "", " file:///etc/passwd", "<file:///etc/passwd>"):
            statuses = [s for s, _ in _send_all_ways(client, "ASK {}", {parameter: value})]
            assert statuses == [400, 400, 400], (value, statuses)
    finally:
        client.close()
