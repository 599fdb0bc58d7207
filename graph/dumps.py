"""Serialise the dataset to every dump format, byte-for-byte reproducibly.

Quads are sorted before serialisation and blank nodes get canonical labels, so two
builds of the same inputs give identical files (and identical checksums, which the
server uses as ETags and the dataset version). Oxigraph writes the RDF syntaxes;
rdflib writes JSON-LD, which is then compacted against a fixed context and key-sorted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node


@dataclass(frozen=True)
class DumpFormat:
    name: str
    file: str
    media_type: str
    quads: bool
    rdflib_format: str


FORMATS: dict[str, DumpFormat] = {
    f.name: f
    for f in (
        DumpFormat("nquads", "kg.nq", "application/n-quads", True, "nquads"),
        DumpFormat("trig", "kg.trig", "application/trig", True, "trig"),
        DumpFormat("jsonld", "kg.jsonld", "application/ld+json", True, "json-ld"),
        DumpFormat("turtle", "kg.ttl", "text/turtle", False, "turtle"),
        DumpFormat("ntriples", "kg.nt", "application/n-triples", False, "nt"),
        DumpFormat("rdfxml", "kg.rdf", "application/rdf+xml", False, "xml"),
    )
}

_OX_FORMATS = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def standard_prefixes(base_iri: str) -> dict[str, str]:
    return {
        "mdk": base_iri + "ontology/",
        "kg": base_iri + "id/",
        "dcterms": "http://purl.org/dc/terms/",
        "foaf": "http://xmlns.com/foaf/0.1/",
        "org": "http://www.w3.org/ns/org#",
        "owl": "http://www.w3.org/2002/07/owl#",
        "prov": "http://www.w3.org/ns/prov#",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "schema": "https://schema.org/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "vann": "http://purl.org/vocab/vann/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }


def canonical_blank_nodes(graph: Graph) -> Graph:
    """Relabel blank nodes by a hash of their surroundings (stable across runs)."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    canonical = Graph()
    for triple in to_canonical_graph(graph):
        canonical.add(triple)
    return canonical


def _ox_term(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _sort_key(quad: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(t.n3() if isinstance(t, Node) else str(t) for t in quad)


def sorted_quads(dataset: Dataset) -> list[tuple[object, object, object, object]]:
    return sorted(((s, p, o, g) for s, p, o, g in dataset.quads() if g is not None), key=_sort_key)


def _ox_resource(term: object) -> ox.NamedNode | ox.BlankNode:
    """A subject or graph name: never a literal."""
    node = _ox_term(term)
    if isinstance(node, ox.Literal):
        raise TypeError(f"a literal cannot be a subject or a graph name: {term!r}")
    return node


def _ox_predicate(term: object) -> ox.NamedNode:
    node = _ox_term(term)
    if not isinstance(node, ox.NamedNode):
        raise TypeError(f"a predicate is an IRI: {term!r}")
    return node


def ox_quads(quads: Iterable[tuple[object, object, object, object]]) -> list[ox.Quad]:
    return [ox.Quad(_ox_resource(s), _ox_predicate(p), _ox_term(o), _ox_resource(g)) for s, p, o, g in quads]


def _ox_triples(quads: Iterable[tuple[object, object, object, object]]) -> list[ox.Triple]:
    unique = sorted({(s, p, o) for s, p, o, _ in quads}, key=_sort_key)
    return [ox.Triple(_ox_resource(s), _ox_predicate(p), _ox_term(o)) for s, p, o in unique]


def serialise_all(dataset: Dataset, base_iri: str) -> dict[str, bytes]:
    """Every dump as bytes, by format name; triple formats hold the union of the named graphs.

    The quads are sorted and turned into Oxigraph terms once, then shared by every format.
    """
    quads = sorted_quads(dataset)
    prefixes = standard_prefixes(base_iri)
    as_quads, as_triples = ox_quads(quads), _ox_triples(quads)
    dumps: dict[str, bytes] = {}
    for name, fmt in FORMATS.items():
        if name == "jsonld":
            dumps[name] = _jsonld(dataset, prefixes)
            continue
        data = as_quads if fmt.quads else as_triples
        with_prefixes = None if name in ("nquads", "ntriples") else prefixes
        dumps[name] = ox.serialize(data, format=_OX_FORMATS[name], prefixes=with_prefixes) or b""
    return dumps


def _jsonld(dataset: Dataset, prefixes: dict[str, str]) -> bytes:
    text = dataset.serialize(format="json-ld", context=prefixes, auto_compact=True)
    document = _sort_json(json.loads(text))
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _sort_json(node: object, key: str | None = None) -> object:
    if isinstance(node, dict):
        return {k: _sort_json(v, k) for k, v in node.items()}
    if isinstance(node, list):
        items = [_sort_json(item) for item in node]
        if key == "@list":
            return items
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return node
