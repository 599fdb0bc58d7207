"""Service Description, VoID, dumps and health, as a client reads them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, VOID

from tests.server.server_support import BASE, RunningServer

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


def _graph(answer_body: bytes, media_type: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=answer_body, format=FORMATS[media_type])


@pytest.mark.parametrize("media_type", list(FORMATS))
def test_service_description(kg_server: RunningServer, media_type: str) -> None:
    answer = kg_server.request("GET", "/sparql", headers={"Accept": media_type})
    assert answer.status == 200
    assert answer.header("content-type") == f"{media_type}; charset=utf-8"
    graph = _graph(answer.body, media_type)
    endpoint = rdflib.URIRef(kg_server.endpoint)
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert len(set(graph.objects(endpoint, SD.resultFormat))) >= 8
    assert not any("Federat" in str(feature) for feature in graph.objects(endpoint, SD.feature))
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert str(dataset).startswith(kg_server.url + ".well-known/void")
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert BASE + "graph/ontology" in names and len(names) == 4


def test_service_description_html_for_browsers(kg_server: RunningServer) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    answer = kg_server.request("GET", "/sparql", headers={"Accept": accept})
    assert answer.status == 200
    assert answer.header("content-type") == "text/html; charset=utf-8"
    assert "<form" in answer.text and "/.well-known/void" in answer.text


def test_void(kg_server: RunningServer, fixture_build: Path) -> None:
    answer = kg_server.request("GET", "/.well-known/void", headers={"Accept": "text/turtle"})
    assert answer.status == 200
    graph = _graph(answer.body, "text/turtle")
    dataset = rdflib.URIRef(kg_server.url + ".well-known/void#dataset")
    manifest = json.loads((fixture_build / "manifest.json").read_text())
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert graph.value(dataset, DCTERMS.title)
    assert str(graph.value(dataset, DCTERMS.license)).startswith("https://creativecommons.org/")
    assert graph.value(dataset, VOID.sparqlEndpoint) == rdflib.URIRef(kg_server.endpoint)
    dumps = {str(d) for d in graph.objects(dataset, VOID.dataDump)}
    assert kg_server.url + "dumps/kg.ttl" in dumps and len(dumps) == 6
    assert str(graph.value(dataset, VOID.uriSpace)) == BASE
    assert graph.value(dataset, VOID.vocabulary) == rdflib.URIRef(BASE + "ontology/")
    assert graph.value(dataset, VOID.triples).toPython() == manifest["triples"]
    examples = list(graph.objects(dataset, VOID.exampleResource))
    assert examples and all(str(e).startswith(BASE + "id/") for e in examples)
    subsets = list(graph.objects(dataset, VOID.subset))
    assert len(subsets) == len(manifest["graphs"])
    assert {str(graph.value(s, SD.name)) for s in subsets} == set(manifest["graphs"])


def test_dumps_index_and_download(kg_server: RunningServer, fixture_build: Path) -> None:
    index = kg_server.request("GET", "/dumps/")
    assert index.status == 200
    listed = {entry["url"].rsplit("/", 1)[1]: entry for entry in index.json()["dumps"]}  # type: ignore[index]
    assert set(listed) == {"kg.ttl", "kg.trig", "kg.nt", "kg.nq", "kg.jsonld", "kg.rdf"}
    expected_types = {
        "kg.ttl": "text/turtle",
        "kg.nq": "application/n-quads",
        "kg.jsonld": "application/ld+json",
        "kg.rdf": "application/rdf+xml",
        "kg.nt": "application/n-triples",
        "kg.trig": "application/trig",
    }
    for name, media_type in expected_types.items():
        answer = kg_server.request("GET", f"/dumps/{name}")
        assert answer.status == 200
        assert answer.header("content-type") == f"{media_type}; charset=utf-8"
        digest = hashlib.sha256(answer.body).hexdigest()
        assert digest == listed[name]["sha256"] == hashlib.sha256((fixture_build / name).read_bytes()).hexdigest()
        assert answer.header("etag") == f'"{digest}"'
        again = kg_server.request("GET", f"/dumps/{name}", headers={"If-None-Match": f'"{digest}"'})
        assert again.status == 304
    assert kg_server.request("GET", "/dumps/../manifest.json").status == 404
    assert kg_server.request("GET", "/dumps/nothing.ttl").status == 404


def test_health(kg_server: RunningServer, fixture_build: Path) -> None:
    answer = kg_server.request("GET", "/health")
    assert answer.status == 200
    assert answer.header("content-type").startswith("application/json")
    body = answer.json()
    manifest = json.loads((fixture_build / "manifest.json").read_text())
    assert body["status"] == "ok"  # type: ignore[index]
    assert body["version"] == manifest["version"]  # type: ignore[index]
    assert body["triples"] == manifest["triples"]  # type: ignore[index]


def test_root_redirects_to_endpoint(kg_server: RunningServer) -> None:
    answer = kg_server.request("GET", "/")
    assert answer.status == 303
    assert answer.header("location").endswith("/sparql")
