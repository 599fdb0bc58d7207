"""Real clients against the real server: SPARQLWrapper (every form by every format it supports, decoded
by its own converters) and rdflib's SPARQLStore."""

from __future__ import annotations

import warnings
from xml.dom.minidom import Document

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.server.server_support import BASE, KG, RunningServer

ENTITY = f"<{BASE}id/digital-morocco-2030>"
QUERIES = {
    "SELECT": f"SELECT ?p ?o WHERE {{ {ENTITY} ?p ?o }} ORDER BY ?p",
    "ASK": f"ASK {{ {ENTITY} a <{KG}Initiative> }}",
    "CONSTRUCT": f"CONSTRUCT {{ {ENTITY} ?p ?o }} WHERE {{ {ENTITY} ?p ?o }}",
    "DESCRIBE": f"DESCRIBE {ENTITY}",
}
FORMATS = {
    "SELECT": [JSON, XML, CSV, TSV],
    "ASK": [JSON, XML, CSV, TSV],
    "CONSTRUCT": [TURTLE, N3, XML, RDFXML, JSONLD],
    "DESCRIBE": [TURTLE, N3, XML, RDFXML, JSONLD],
}
MATRIX = [(form, fmt, method) for form, formats in FORMATS.items() for fmt in formats for method in (GET, POST)]


def _check_select(fmt: str, converted: object) -> None:
    if fmt == JSON:
        assert len(converted["results"]["bindings"]) == 4  # type: ignore[index]
    elif fmt == XML:
        assert isinstance(converted, Document) and len(converted.getElementsByTagName("result")) == 4
    else:
        separator = b"," if fmt == CSV else b"\t"
        lines = bytes(converted).strip().splitlines()  # type: ignore[arg-type]
        assert len(lines) == 5 and lines[0].replace(b"?", b"").split(separator) == [b"p", b"o"]


def _check_ask(fmt: str, converted: object) -> None:
    if fmt == JSON:
        assert converted["boolean"] is True  # type: ignore[index]
    elif fmt == XML:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
    else:
        assert bytes(converted).strip().lower() == b"true"  # type: ignore[arg-type]


def _check_graph(fmt: str, converted: object) -> None:
    if isinstance(converted, bytes):
        graph = rdflib.Graph().parse(data=converted, format="turtle" if fmt == TURTLE else "n3")
    else:
        graph = converted
    assert (
        rdflib.URIRef(BASE + "id/digital-morocco-2030"),
        rdflib.RDF.type,
        rdflib.URIRef(KG + "Initiative"),
    ) in graph


@pytest.mark.parametrize(("form", "fmt", "method"), MATRIX, ids=[f"{f}-{x}-{m}" for f, x, m in MATRIX])
def test_sparqlwrapper(kg_server: RunningServer, form: str, fmt: str, method: str) -> None:
    client = SPARQLWrapper(kg_server.endpoint)
    client.setQuery(QUERIES[form])
    client.setReturnFormat(fmt)
    client.setMethod(method)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # a content type the client did not ask for
        converted = client.query().convert()
    if form == "SELECT":
        _check_select(fmt, converted)
    elif form == "ASK":
        _check_ask(fmt, converted)
    else:
        _check_graph(fmt, converted)


@pytest.mark.parametrize("return_format", ["xml", "json"])
def test_rdflib_sparqlstore_select(kg_server: RunningServer, return_format: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(kg_server.endpoint, returnFormat=return_format))
    rows = list(graph.query(f"SELECT ?actor WHERE {{ ?actor a <{KG}Actor> }} ORDER BY ?actor LIMIT 2"))
    assert [str(row[0]) for row in rows] == [BASE + f"id/actor-{n}" for n in (1, 10)]


def test_rdflib_sparqlstore(kg_server: RunningServer) -> None:
    """With its default (XML) setting, SPARQLStore accepts both result sets and RDF/XML graphs."""
    graph = rdflib.Graph(store=SPARQLStore(kg_server.endpoint))
    rows = list(graph.query(f"SELECT ?actor WHERE {{ ?actor a <{KG}Actor> }} ORDER BY ?actor LIMIT 3"))
    assert [str(row[0]) for row in rows] == [BASE + f"id/actor-{n}" for n in (1, 10, 11)]
    assert bool(graph.query(QUERIES["ASK"]).askAnswer) is True
    constructed = graph.query(QUERIES["CONSTRUCT"]).graph
    assert constructed is not None and len(constructed) == 4
    types = list(graph.triples((rdflib.URIRef(BASE + "id/digital-morocco-2030"), rdflib.RDF.type, None)))
    assert types == [
        (rdflib.URIRef(BASE + "id/digital-morocco-2030"), rdflib.RDF.type, rdflib.URIRef(KG + "Initiative"))
    ]


NTRIPLES_MATRIX = [(form, method) for form in ("CONSTRUCT", "DESCRIBE") for method in (GET, POST)]


@pytest.mark.parametrize(("form", "method"), NTRIPLES_MATRIX, ids=[f"{f}-ntriples-{m}" for f, m in NTRIPLES_MATRIX])
def test_sparqlwrapper_ntriples_by_accept(kg_server: RunningServer, form: str, method: str) -> None:
    """SPARQLWrapper has no N-Triples constant: users set N3 and a custom Accept, and it adds ``format=n3``.

    The explicit Accept names a syntax within the N3 family, so it wins over the parameter.
    """
    client = SPARQLWrapper(kg_server.endpoint)
    client.setQuery(QUERIES[form])
    client.setReturnFormat(N3)
    client.setMethod(method)
    client.addCustomHttpHeader("Accept", "application/n-triples")
    response = client.query()
    assert response.response.headers["Content-Type"].split(";")[0] == "application/n-triples"
    body = response.response.read()
    graph = rdflib.Graph().parse(data=body, format="nt")  # N-Triples only: a Turtle prefix would not parse
    _check_graph(TURTLE, graph)
