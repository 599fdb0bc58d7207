"""The W3C SPARQL 1.1 Protocol tests, read from their manifest and run over HTTP against the real server.

One test per manifest entry. Query tests must pass as written. Update tests are turned around: this
endpoint is read-only, so the update request of each must be refused with a 4xx (the follow-up requests
that check the update's effect are not sent).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
import rdflib
from rdflib.collection import Collection

from tests.server.conftest import PROTOCOL_DIR
from tests.server.server_support import Answer, RunningServer

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
MANIFEST_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
RESULTS_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
RDF_TYPES = ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")
KNOWN_FAILURES: dict[str, str] = {}


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected_status: frozenset[str]
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolCase:
    iri: str
    name: str
    requests: tuple[ProtocolRequest, ...]

    @property
    def is_update(self) -> bool:
        local = self.iri.removeprefix(MANIFEST_BASE)
        return "update" in local


def _request(graph: rdflib.Graph, node: rdflib.term.Node) -> ProtocolRequest:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
    response = graph.value(node, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    statuses = frozenset(str(s).rsplit("StatusCode", 1)[1] for s in graph.objects(response, MF.expectedStatus))
    path = str(graph.value(node, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    return ProtocolRequest(
        method=str(graph.value(node, HT.methodName)),
        path=path,
        headers=headers,
        body=body,
        expected_status=statuses,
        expected_format=str(fmt) if fmt is not None else None,
        expected_boolean=bool(boolean.toPython()) if boolean is not None else None,
    )


def load_cases() -> list[ProtocolCase]:
    manifest = PROTOCOL_DIR / "manifest.ttl"
    if not manifest.is_file():
        return []
    graph = rdflib.Graph().parse(manifest, format="turtle")
    entries = graph.value(rdflib.URIRef(manifest.as_uri()), MF.entries)
    if entries is None:
        entries = next(graph.objects(None, MF.entries))
    cases = []
    for entry in Collection(graph, entries):
        action = graph.value(entry, MF.action)
        requests = tuple(_request(graph, r) for r in Collection(graph, graph.value(action, HT.requests)))
        iri = str(entry).replace(manifest.as_uri() + "#", MANIFEST_BASE)
        cases.append(ProtocolCase(iri=iri, name=str(graph.value(entry, MF.name)), requests=requests))
    return cases


CASES = load_cases()


def _status_class(status: int) -> str:
    return f"{status // 100}xx"


def _check_format(request: ProtocolRequest, answer: Answer) -> None:
    content_type = answer.header("content-type").split(";")[0].strip()
    if request.expected_format == "RDF":
        assert content_type in RDF_TYPES, content_type
        rdflib.Graph().parse(
            data=answer.body,
            format={
                "text/turtle": "turtle",
                "application/n-triples": "nt",
                "application/rdf+xml": "xml",
                "application/ld+json": "json-ld",
            }[content_type],
        )
        return
    assert content_type in RESULTS_TYPES, content_type
    if request.expected_format == "boolean" and request.expected_boolean is not None:
        assert _boolean_of(content_type, answer.body) is request.expected_boolean


def _boolean_of(content_type: str, body: bytes) -> bool:
    if content_type == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    if content_type == "application/sparql-results+xml":
        element = ET.fromstring(body).find("{http://www.w3.org/2005/sparql-results#}boolean")
        assert element is not None
        return element.text == "true"
    return body.strip() == b"true"


def test_manifest_counts() -> None:
    if not CASES:
        pytest.skip(f"no W3C protocol manifest under {PROTOCOL_DIR}")
    queries = [case for case in CASES if not case.is_update]
    assert len(queries) == 20
    assert len(CASES) - len(queries) == 14


@pytest.mark.parametrize("case", CASES, ids=[c.iri.removeprefix(MANIFEST_BASE) for c in CASES])
def test_protocol(case: ProtocolCase, protocol_server: RunningServer) -> None:
    if case.iri in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[case.iri])
    if case.is_update:
        first = case.requests[0]
        answer = protocol_server.request(first.method, first.path, first.body, first.headers)
        assert 400 <= answer.status < 500, (answer.status, answer.text)
        return
    for request in case.requests:
        answer = protocol_server.request(request.method, request.path, request.body, request.headers)
        assert _status_class(answer.status) in request.expected_status, (answer.status, answer.body[:300])
        if answer.status < 300 and request.expected_format:
            _check_format(request, answer)
        assert "charset=" in answer.header("content-type")
