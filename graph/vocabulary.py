"""What the ontology declares, indexed for checking seed files.

The seeds name classes and properties by their local name (``Institute``, ``locatedIn``);
this index is the closed list of those names, so a misspelt term fails the build instead
of minting a new IRI.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection

from core.errors import BuildError, Problem
from graph.safe_rdf import RDF_SUFFIXES, parse_rdf_file


@dataclass
class Vocabulary:
    namespace: str
    classes: dict[str, URIRef] = field(default_factory=dict)
    object_properties: dict[str, URIRef] = field(default_factory=dict)
    datatype_properties: dict[str, URIRef] = field(default_factory=dict)
    individuals: dict[str, URIRef] = field(default_factory=dict)
    superclasses: dict[URIRef, frozenset[URIRef]] = field(default_factory=dict)
    domains: dict[URIRef, tuple[URIRef, ...]] = field(default_factory=dict)
    ranges: dict[URIRef, tuple[URIRef, ...]] = field(default_factory=dict)
    individual_types: dict[URIRef, frozenset[URIRef]] = field(default_factory=dict)

    def conforms(self, types: frozenset[URIRef], allowed: tuple[URIRef, ...]) -> bool:
        """Whether something with these asserted types is an instance of one allowed class."""
        if not allowed:
            return True
        closure = set(types)
        for cls in types:
            closure |= self.superclasses.get(cls, frozenset())
        return any(cls in closure for cls in allowed)


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The ontology proper (any RDF syntax), without the SHACL shapes kept beside it."""
    return (
        sorted(p for p in ontology_dir.iterdir() if p.suffix.lower() in RDF_SUFFIXES and p.name != "shapes.ttl")
        if ontology_dir.is_dir()
        else []
    )


def load_ontology(ontology_dir: Path) -> Graph:
    graph = Graph()
    files = ontology_files(ontology_dir)
    if not files:
        raise BuildError([Problem(ontology_dir, None, "no ontology file found")])
    for path in files:
        graph += parse_rdf_file(path)
    return graph


def index_vocabulary(ontology: Graph, namespace: str) -> Vocabulary:
    vocab = Vocabulary(namespace=namespace)

    def local(term: URIRef) -> str | None:
        text = str(term)
        return text[len(namespace) :] if text.startswith(namespace) and len(text) > len(namespace) else None

    for kind, target in (
        (OWL.Class, vocab.classes),
        (OWL.ObjectProperty, vocab.object_properties),
        (OWL.DatatypeProperty, vocab.datatype_properties),
        (OWL.NamedIndividual, vocab.individuals),
    ):
        for term in ontology.subjects(RDF.type, kind):
            if isinstance(term, URIRef) and (name := local(term)):
                target[name] = term
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if isinstance(cls, URIRef):
            vocab.superclasses[cls] = frozenset(
                c for c in ontology.transitive_objects(cls, RDFS.subClassOf) if isinstance(c, URIRef)
            )
    for prop in (*vocab.object_properties.values(), *vocab.datatype_properties.values()):
        vocab.domains[prop] = _classes_of(ontology, ontology.value(prop, RDFS.domain))
        vocab.ranges[prop] = _classes_of(ontology, ontology.value(prop, RDFS.range))
    for individual in vocab.individuals.values():
        vocab.individual_types[individual] = frozenset(
            t for t in ontology.objects(individual, RDF.type) if isinstance(t, URIRef) and t != OWL.NamedIndividual
        )
    return vocab


def _classes_of(ontology: Graph, node: object) -> tuple[URIRef, ...]:
    """A named class, or the members of an owl:unionOf, as a tuple; () when unconstrained."""
    if node is None:
        return ()
    if isinstance(node, URIRef):
        return (node,)
    union = ontology.value(node, OWL.unionOf) if isinstance(node, BNode) else None
    if union is not None:
        return tuple(m for m in Collection(ontology, union) if isinstance(m, URIRef))
    return ()
