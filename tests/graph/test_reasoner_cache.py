"""HermiT's answer is cached under the hash of its input: reused while the input is the same, redone when not."""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from graph.reasoning import infer

ONT = "https://example.org/tiny/ontology/"
IDS = "https://example.org/tiny/id/"


def _input(cls: str) -> Graph:
    graph = Graph()
    graph.add((URIRef(ONT), RDF.type, OWL.Ontology))
    for name in ("Agent", "Person", "Robot"):
        graph.add((URIRef(ONT + name), RDF.type, OWL.Class))
    graph.add((URIRef(ONT + "Person"), RDFS.subClassOf, URIRef(ONT + "Agent")))
    graph.add((URIRef(ONT + "Robot"), RDFS.subClassOf, URIRef(ONT + "Agent")))
    graph.add((URIRef(IDS + "someone"), RDF.type, OWL.NamedIndividual))
    graph.add((URIRef(IDS + "someone"), RDF.type, URIRef(ONT + cls)))
    return graph


def test_inferences_are_cached_by_input(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    agent = (URIRef(IDS + "someone"), RDF.type, URIRef(ONT + "Agent"))
    first = infer([_input("Person")], IDS, cache)
    assert agent in first
    (entry,) = cache.glob("*.nt")
    assert set(Graph().parse(entry, format="nt")) == set(first)

    marker = (URIRef(IDS + "someone"), RDF.type, URIRef(ONT + "FromTheCache"))
    entry.write_text(f"{marker[0].n3()} {marker[1].n3()} {marker[2].n3()} .\n", encoding="utf-8")
    assert set(infer([_input("Person")], IDS, cache)) == {marker}, "the cached answer was not reused"

    other = infer([_input("Robot")], IDS, cache)
    assert agent in other and marker not in other
    assert len(list(cache.glob("*.nt"))) == 2
    assert not list(cache.glob(".tmp-*"))


def test_without_a_cache_hermit_runs(tmp_path: Path) -> None:
    inferred = infer([_input("Robot")], IDS)
    assert (URIRef(IDS + "someone"), RDF.type, URIRef(ONT + "Agent")) in inferred
    assert not list(tmp_path.iterdir())
