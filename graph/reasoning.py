"""Run HermiT (through owlready2) over the ontology and the facts, keep what it infers.

The reasoner sees the ontology, the entity declarations and the facts; not the
provenance, whose reification vocabulary is outside OWL 2 DL. Nothing is stripped from its
input: dates are ``mdk:TimeValue`` resources with ``xsd:dateTime`` bounds (see graph/temporal.py),
and a literal whose datatype is outside the OWL 2 datatype map fails the build, since HermiT (and
Protégé with it) would refuse the published file for it. What comes back is kept as its own named graph:
inferred types (with every superclass, so a query for ``schema:Organization`` finds
institutes), and links between resources from inverse, symmetric, transitive and
sub-properties. Literal values are not taken back: owlready2 returns them re-typed
(an ``xsd:decimal`` 12 comes back as an integer), which would restate every value.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

import owlready2
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from core.errors import BuildError, Problem
from graph import cache

_XSD = "http://www.w3.org/2001/XMLSchema#"
# The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus rdf:langString,
# which is how RDF 1.1 types a language-tagged literal.
OWL2_DATATYPES = frozenset(
    {
        *(
            _XSD + name
            for name in [
                "decimal",
                "integer",
                "nonNegativeInteger",
                "nonPositiveInteger",
                "positiveInteger",
                "negativeInteger",
                "long",
                "int",
                "short",
                "byte",
                "unsignedLong",
                "unsignedInt",
                "unsignedShort",
                "unsignedByte",
                "double",
                "float",
                "string",
                "normalizedString",
                "token",
                "language",
                "Name",
                "NCName",
                "NMTOKEN",
                "boolean",
                "hexBinary",
                "base64Binary",
                "anyURI",
                "dateTime",
                "dateTimeStamp",
            ]
        ),
        "http://www.w3.org/2002/07/owl#real",
        "http://www.w3.org/2002/07/owl#rational",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
        "http://www.w3.org/2000/01/rdf-schema#Literal",
    }
)


def outside_owl2(graph: Graph) -> list[tuple[object, object, Literal]]:
    """The triples whose literal has a datatype OWL 2 reasoners refuse (HermiT: UnsupportedDatatypeException)."""
    return [
        (s, p, o)
        for s, p, o in graph
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) not in OWL2_DATATYPES
    ]


# HermiT runs once per build, for a few seconds: a JVM set up for start-up (the client compiler only, a
# single-threaded collector) finishes in about 60% of the default's time, with the same output
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def reasoner_input(graphs: list[Graph]) -> Graph:
    merged = Graph()
    for graph in graphs:
        merged += graph
    return merged


def infer(graphs: list[Graph], individuals_prefix: str, cache_dir: Path | None = None) -> Graph:
    """The triples HermiT entails about the individuals under ``individuals_prefix``, minus the input.

    HermiT is a pure function of its input, and the slowest stage of a build: its answer is cached
    (:mod:`graph.cache`) under the hash of the input, the prefix and owlready2's version (which bundles
    HermiT), so a build whose ontology, entities and facts did not change does not run it again.
    """
    source = reasoner_input(graphs)
    key = _input_hash(source, individuals_prefix) if cache_dir is not None else ""
    cached = cache.read(cache_dir, key, ".nt")
    if cached is not None:
        return Graph().parse(data=cached.decode("utf-8"), format="nt")
    inferred = _entailed(source, individuals_prefix)
    cache.write(cache_dir, key, ".nt", "".join(f"{line}\n" for line in sorted(_nt_lines(inferred))).encode("utf-8"))
    return inferred


def _input_hash(source: Graph, individuals_prefix: str) -> str:
    return cache.digest([f"owlready2 {_owlready2_version()}", individuals_prefix, *sorted(_nt_lines(source))])


def _nt_lines(graph: Graph) -> list[str]:
    return [line for line in graph.serialize(format="nt").splitlines() if line.strip()]


def _owlready2_version() -> str:
    try:
        return metadata.version("owlready2")
    except metadata.PackageNotFoundError:
        return "unknown"


def _entailed(source: Graph, individuals_prefix: str) -> Graph:
    world = owlready2.World()
    with tempfile.TemporaryDirectory(prefix="kg-reasoner-") as tmp:
        path = Path(tmp) / "input.nt"
        path.write_text(source.serialize(format="nt"), encoding="utf-8")
        world.get_ontology(path.as_uri()).load()
        try:
            with _java_options(JVM_OPTIONS):
                owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            raise BuildError(
                [
                    Problem(
                        "ontology + facts",
                        None,
                        "HermiT finds the ontology and facts inconsistent: "
                        "a fact contradicts a disjointness, domain or range axiom",
                    )
                ]
            ) from exc
        except owlready2.OwlReadyJavaError as exc:
            raise BuildError([Problem("ontology + facts", None, f"the reasoner failed: {exc}")]) from exc
        entailed = Graph()
        for triple in world.as_rdflib_graph():
            entailed.add(triple)
    return _materialise(source, entailed, individuals_prefix)


@contextmanager
def _java_options(options: str) -> Iterator[None]:
    """Add ``options`` to ``JDK_JAVA_OPTIONS`` (read by the ``java`` launcher) while the block runs.

    owlready2 builds the java command itself and takes no JVM flags; the launcher's variable reaches it, and
    the note the launcher prints about it does not disturb owlready2's reading of HermiT's output.
    """
    previous = os.environ.get("JDK_JAVA_OPTIONS")
    os.environ["JDK_JAVA_OPTIONS"] = f"{previous} {options}" if previous else options
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("JDK_JAVA_OPTIONS", None)
        else:
            os.environ["JDK_JAVA_OPTIONS"] = previous


def _materialise(source: Graph, entailed: Graph, prefix: str) -> Graph:
    """Close types over the (classified) class hierarchy and keep only what is new."""
    inferred = Graph()
    for s, p, o in entailed:
        if not (isinstance(s, URIRef) and str(s).startswith(prefix)):
            continue
        if p == RDF.type:
            if o in (OWL.NamedIndividual, OWL.Thing) or not isinstance(o, URIRef):
                continue
            for cls in entailed.transitive_objects(o, RDFS.subClassOf):  # the classified hierarchy
                if isinstance(cls, URIRef) and cls != OWL.Thing and (s, RDF.type, cls) not in source:
                    inferred.add((s, RDF.type, cls))
        elif isinstance(o, URIRef) and (s, p, o) not in source and not str(p).startswith(str(OWL)):
            inferred.add((s, p, o))
    return inferred
