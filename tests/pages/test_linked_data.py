"""Dereferenceable IRIs over HTTP, with rdflib and SPARQLWrapper as the clients."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.compare import to_isomorphic
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from tests.pages.site_support import BASE, DOCUMENT, ENTITY, QUOTE, RunningServer

MDK = rdflib.Namespace(BASE + "ontology/")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FORMATS = {  # media type, rdflib parser, suffix
    "turtle": ("text/turtle", "turtle", ".ttl"),
    "json-ld": ("application/ld+json", "json-ld", ".jsonld"),
    "nt": ("application/n-triples", "nt", ".nt"),
    "xml": ("application/rdf+xml", "xml", ".rdf"),
}


def _graph(server: RunningServer, path: str, accept: str | None = None) -> tuple[rdflib.Graph, dict[str, str]]:
    answer = server.request("GET", path, headers={"Accept": accept} if accept else {})
    assert answer.status == 200, answer.text[:300]
    media_type = answer.header("content-type").split(";")[0]
    parser = next((p for m, p, _ in FORMATS.values() if m == media_type), None)
    assert parser is not None, f"not an RDF answer: {media_type}"
    return rdflib.Graph().parse(data=answer.body, format=parser), answer.headers


def test_the_uri_space_of_void_maps_onto_the_server_root(pages_server: RunningServer) -> None:
    void = rdflib.Graph().parse(pages_server.url + ".well-known/void", format="turtle")
    outside = set(void.objects(None, VOID.objectsTarget))  # the datasets the linksets point to
    spaces = {str(o) for s, o in void.subject_objects(VOID.uriSpace) if s not in outside}
    assert spaces == {BASE}
    graph, _ = _graph(pages_server, "/" + ENTITY, "text/turtle")
    assert (rdflib.URIRef(BASE + ENTITY), rdflib.RDF.type, MDK.Institute) in graph


@pytest.mark.parametrize("name", list(FORMATS))
def test_entity_by_accept_and_by_suffix_give_the_same_graph(pages_server: RunningServer, name: str) -> None:
    media_type, _, suffix = FORMATS[name]
    negotiated, headers = _graph(pages_server, "/" + ENTITY, media_type)
    assert "accept" in headers.get("vary", "").lower()
    by_suffix, _ = _graph(pages_server, "/" + ENTITY + suffix)
    assert to_isomorphic(negotiated) == to_isomorphic(by_suffix)
    entity = rdflib.URIRef(BASE + ENTITY)
    assert (entity, rdflib.RDFS.label, rdflib.Literal("Jazari Root", lang="fr")) in negotiated
    assert (entity, MDK.worksWith, rdflib.URIRef(BASE + "id/mistral-ai")) in negotiated


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (ENTITY, (BASE + ENTITY, str(rdflib.RDF.type), BASE + "ontology/Institute")),
        ("ontology/Institute", (BASE + "ontology/Institute", str(rdflib.RDF.type), str(rdflib.OWL.Class))),
        ("ontology/worksWith", (BASE + "ontology/worksWith", str(rdflib.RDF.type), str(rdflib.OWL.ObjectProperty))),
        (QUOTE, (BASE + QUOTE, str(rdflib.RDF.type), BASE + "ontology/Quote")),
        (DOCUMENT, (BASE + DOCUMENT, str(rdflib.RDF.type), BASE + "ontology/SourceDocument")),
        ("ontology/", (BASE + "ontology/", str(rdflib.RDF.type), str(rdflib.OWL.Ontology))),
    ],
)
def test_rdflib_dereferences_every_kind_of_iri(
    pages_server: RunningServer, path: str, expected: tuple[str, str, str]
) -> None:
    """rdflib fetches the URL itself, with its own ``Accept`` header, as linked-data tools do."""
    graph = rdflib.Graph().parse(pages_server.url + path)
    assert tuple(rdflib.URIRef(term) for term in expected) in graph


def test_a_fact_iri_with_dots_is_not_read_as_a_suffix(pages_server: RunningServer) -> None:
    rows = SPARQLWrapper(pages_server.endpoint)
    rows.setQuery(f"SELECT ?fact WHERE {{ ?fact <{rdflib.RDF.subject}> <{BASE + ENTITY}> }} LIMIT 1")
    rows.setReturnFormat(JSON)
    fact = rows.queryAndConvert()["results"]["bindings"][0]["fact"]["value"]  # type: ignore[index]
    local = fact.removeprefix(BASE)
    assert "." in local
    graph, _ = _graph(pages_server, "/" + local + ".nt")
    assert (rdflib.URIRef(fact), rdflib.RDF.subject, rdflib.URIRef(BASE + ENTITY)) in graph
    assert any(graph.objects(rdflib.URIRef(fact), MDK.supportedBy))


def test_a_named_graph_iri_gives_the_graph(pages_server: RunningServer) -> None:
    graph, headers = _graph(pages_server, "/graph/entities", "application/n-triples")
    assert len(graph) > 500
    assert headers.get("x-result-truncated") == "false"


def test_the_description_holds_what_the_endpoint_describes(pages_server: RunningServer) -> None:
    """SPARQLWrapper's DESCRIBE on the endpoint is part of what the IRI itself answers."""
    client = SPARQLWrapper(pages_server.endpoint)
    client.setQuery(f"DESCRIBE <{BASE + ENTITY}>")
    client.setReturnFormat(TURTLE)
    described = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    dereferenced, _ = _graph(pages_server, "/" + ENTITY + ".ttl")
    assert len(described) > 10
    assert set(described) <= set(dereferenced)


def test_browsers_get_html_and_tools_can_tell_the_alternates(pages_server: RunningServer) -> None:
    answer = pages_server.request("GET", "/" + ENTITY, headers={"Accept": BROWSER})
    assert answer.status == 200
    assert answer.header("content-type") == "text/html; charset=utf-8"
    assert "accept" in answer.header("vary").lower()
    assert f'</{ENTITY}.ttl>; rel="alternate"; type="text/turtle"' in answer.header("link")
    assert "Jazari Root" in answer.text


def test_unknown_iri_is_404_and_unacceptable_type_is_406(pages_server: RunningServer) -> None:
    missing = pages_server.request("GET", "/id/no-such-entity", headers={"Accept": "text/turtle"})
    assert missing.status == 404
    assert missing.header("content-type").startswith("text/plain")
    page = pages_server.request("GET", "/id/no-such-entity", headers={"Accept": BROWSER})
    assert page.status == 404 and "<main" in page.text
    assert pages_server.request("GET", "/" + ENTITY, headers={"Accept": "image/png"}).status == 406


def test_the_root_still_leads_machines_to_the_endpoint(pages_server: RunningServer) -> None:
    answer = pages_server.request("GET", "/", headers={"Accept": "text/turtle"})
    assert answer.status == 303 and answer.header("location").endswith("/sparql")
