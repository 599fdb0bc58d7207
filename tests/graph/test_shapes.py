"""The SHACL shapes hold the graph to its contract, and really reject what breaks it."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef

from core.errors import BuildError
from core.settings import REPO_ROOT
from graph.validation import load_shapes, validate
from graph.vocabulary import load_ontology

BASE = "https://w3id.org/morocco-digital-kg/"
MDK = BASE + "ontology/"
SHAPES = REPO_ROOT / "ontology" / "shapes.ttl"


def _union(dataset: Dataset) -> Graph:
    union = Graph()
    for s, p, o, _g in dataset.quads():
        union.add((s, p, o))
    return union


def test_the_built_graph_conforms(dataset: Dataset) -> None:
    validate(_union(dataset), load_shapes(SHAPES), SHAPES)


def _broken(kind: str) -> Graph:
    graph = Graph()
    mdk = lambda name: URIRef(MDK + name)  # noqa: E731 - a local shorthand
    thing = URIRef(BASE + "id/test-thing")
    if kind == "fact without quote":
        fact = URIRef(BASE + "fact/test/x")
        graph.add((fact, RDF.type, mdk("Fact")))
        graph.add((fact, RDF.subject, thing))
        graph.add((fact, RDF.predicate, mdk("theme")))
        graph.add((fact, RDF.object, thing))
    elif kind in ("fact without attribution", "quote without sentence"):
        fact, quote = URIRef(BASE + "fact/test/x"), URIRef(BASE + "quote/test/0-5")
        graph.add((fact, RDF.type, mdk("Fact")))
        graph.add((fact, mdk("supportedBy"), quote))
        graph.add((quote, RDF.type, mdk("Quote")))
        graph.add((quote, mdk("supports"), fact))
        if kind == "quote without sentence":
            graph.add((fact, URIRef("http://www.w3.org/ns/prov#wasAttributedTo"), thing))
            graph.add((fact, mdk("evidentialStatus"), mdk("EvidenceStated")))
    elif kind == "figure without unit":
        graph.add((thing, RDF.type, mdk("Figure")))
        graph.add((thing, RDFS.label, Literal("x", lang="fr")))
        graph.add((thing, RDFS.label, Literal("x", lang="en")))
        graph.add((thing, mdk("value"), Literal("3", datatype=XSD.decimal)))
    elif kind in ("quote ending before it begins", "quote of no length"):
        quote = URIRef(BASE + "quote/test/9")
        end = 3 if kind == "quote ending before it begins" else 9
        graph.add((quote, RDF.type, mdk("Quote")))
        graph.add((quote, mdk("beginIndex"), Literal(9, datatype=XSD.nonNegativeInteger)))
        graph.add((quote, mdk("endIndex"), Literal(end, datatype=XSD.nonNegativeInteger)))
    elif kind == "entity without english label":
        graph.add((thing, RDF.type, mdk("Person")))
        graph.add((thing, RDFS.label, Literal("quelqu'un", lang="fr")))
    return graph


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fact without quote", "fact without a quote that supports it"),
        ("fact without attribution", "fact not attributed to the agent whose words support it"),
        ("fact without attribution", "fact without an evidential status"),
        ("quote without sentence", "quote not linked to the whole sentence it lies in"),
        ("figure without unit", "figure without exactly one unit"),
        ("entity without english label", "entity without an English label"),
        ("quote ending before it begins", "quote whose end index is not after its begin index"),
        ("quote of no length", "quote whose end index is not after its begin index"),
    ],
)
def test_shapes_reject_broken_data(kind: str, message: str) -> None:
    data = _broken(kind) + load_ontology(REPO_ROOT / "ontology")  # subclass links let targets reach subclasses
    with pytest.raises(BuildError, match=message):
        validate(data, load_shapes(SHAPES), SHAPES)
