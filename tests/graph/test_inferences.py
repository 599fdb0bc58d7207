"""The reasoner's inferences graph closes types, inverses, symmetric and transitive properties."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Dataset, Graph, URIRef

BASE = "https://w3id.org/morocco-digital-kg/"
MDK = BASE + "ontology/"


def _graph(dataset: Dataset, name: str) -> Graph:
    return dataset.graph(URIRef(BASE + "graph/" + name))


def _asserted_and_inferred(dataset: Dataset) -> Graph:
    everything = Graph()
    for graph in dataset.graphs():
        if str(graph.identifier).startswith(BASE + "graph/"):
            everything += graph
    return everything


def test_types_are_closed_over_the_class_hierarchy(dataset: Dataset) -> None:
    everything = _asserted_and_inferred(dataset)
    ontology = _graph(dataset, "ontology")
    entities = _graph(dataset, "entities")
    checked = 0
    for individual, cls in entities.subject_objects(RDF.type):
        if not str(cls).startswith(MDK):
            continue
        for ancestor in ontology.transitive_objects(cls, RDFS.subClassOf):
            if isinstance(ancestor, URIRef):
                assert (individual, RDF.type, ancestor) in everything, f"{individual} should be a {ancestor}"
                checked += 1
    assert checked > 100


def test_inferred_types_reach_standard_vocabularies(dataset: Dataset) -> None:
    inferences = _graph(dataset, "inferences")
    jazari = URIRef(BASE + "id/jazari-root")
    assert (jazari, RDF.type, URIRef(MDK + "Organisation")) in inferences
    assert (jazari, RDF.type, URIRef("https://schema.org/Organization")) in inferences
    assert (URIRef(BASE + "id/morocco"), RDF.type, URIRef("http://www.w3.org/ns/prov#Agent")) in inferences


def test_symmetric_and_inverse_properties_are_closed(dataset: Dataset) -> None:
    ontology = _graph(dataset, "ontology")
    everything = _asserted_and_inferred(dataset)
    symmetric = set(ontology.subjects(RDF.type, OWL.SymmetricProperty))
    inverses = [(p, q) for p, q in ontology.subject_objects(OWL.inverseOf)]
    facts = Graph()
    for graph in dataset.graphs():
        if str(graph.identifier).startswith(BASE + "graph/facts/"):
            facts += graph
    for s, p, o in facts:
        if p in symmetric:
            assert (o, p, s) in everything, f"missing symmetric {o} {p} {s}"
        for left, right in inverses:
            if p == left:
                assert (o, right, s) in everything, f"missing inverse {o} {right} {s}"
            if p == right:
                assert (o, left, s) in everything, f"missing inverse {o} {left} {s}"


def test_inferences_are_not_restated_assertions(dataset: Dataset) -> None:
    inferences = _graph(dataset, "inferences")
    asserted = Graph()
    for name in ("entities", "ontology"):
        asserted += _graph(dataset, name)
    assert len(inferences) > 0
    assert not [t for t in inferences if t in asserted][:1]
