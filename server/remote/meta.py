"""The small metadata graph ``kg publish`` writes next to the data, so that any replica knows what it serves.

A store holds graphs, not the build's ``manifest.json``; without the manifest a replica could not tell the
dataset version (for ``/health``, VoID, ETags and the cache key), which named graphs make up the default
graph, or how many triples each holds. The manifest is therefore stored whole, as one JSON literal, plus a
few readable triples. Replicas find the graph by its predicate, so they need no configuration for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import pyoxigraph as ox

from server.dataset import DatasetInfo, GraphInfo

PUBLISH_NS = "https://w3id.org/morocco-digital-kg/publish#"
MANIFEST = PUBLISH_NS + "manifest"
OWL_VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
MODIFIED = "http://purl.org/dc/terms/modified"
FIND_QUERY = f"SELECT ?g ?m WHERE {{ GRAPH ?g {{ ?g <{MANIFEST}> ?m }} }} ORDER BY ?g"


def meta_graph_iri(base_iri: str) -> str:
    return base_iri + "graph/meta"


@dataclass(frozen=True)
class Published:
    """What a publish wrote: the manifest (version, graphs, dumps) and a few example resources."""

    iri: str
    manifest: dict
    example_resources: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def data_graphs(self) -> tuple[str, ...]:
        """The graphs whose union is the default graph (the metadata graph itself is not one)."""
        return tuple(sorted(self.manifest.get("graphs", {})))

    def info(self) -> DatasetInfo:
        graphs = tuple(
            GraphInfo(iri=iri, role=str(entry.get("role", "")), triples=int(entry.get("triples", 0)))
            for iri, entry in sorted(self.manifest.get("graphs", {}).items())
        )
        return DatasetInfo(
            version=self.version,
            base_iri=str(self.manifest.get("base_iri", "")),
            triples=int(self.manifest.get("triples", sum(g.triples for g in graphs))),
            graphs=graphs,
            example_resources=self.example_resources,
        )


def meta_triples(published: Published) -> list[ox.Triple]:
    subject = ox.NamedNode(published.iri)
    document = {"manifest": published.manifest, "example_resources": list(published.example_resources)}
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    return [
        ox.Triple(subject, ox.NamedNode(MANIFEST), ox.Literal(json.dumps(document, sort_keys=True))),
        ox.Triple(subject, ox.NamedNode(OWL_VERSION), ox.Literal(published.version)),
        ox.Triple(
            subject,
            ox.NamedNode(MODIFIED),
            ox.Literal(now, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")),
        ),
    ]


def read_published(graph: str, literal: str) -> Published:
    """The :class:`Published` stored in ``graph``; ``ValueError`` when the literal is not one."""
    document = json.loads(literal)
    manifest = document["manifest"]
    if not isinstance(manifest, dict) or not isinstance(manifest.get("version"), str):
        raise ValueError("the metadata graph holds no manifest version")
    return Published(iri=graph, manifest=manifest, example_resources=tuple(document.get("example_resources", ())))
