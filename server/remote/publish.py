"""``kg publish``: put every named graph of a build into a SPARQL store, safely and repeatably.

Each graph is uploaded with a Graph Store Protocol ``PUT`` (which replaces a whole graph) to a *staging*
name, its triple count is checked with a ``COUNT`` query, and only when every graph is in place does one
SPARQL Update request ``MOVE`` them all onto their real names, together with the metadata graph
(:mod:`server.remote.meta`) and the removal of graphs an older publish had and this one has not. A failure
before that request leaves the store's previous graphs untouched (the staging graphs are dropped); a store
that applies an update request in one transaction (Oxigraph does) switches replicas from the old dataset
to the new one at once. For stores without SPARQL Update, ``direct`` mode PUTs each graph onto its real
name (each PUT is atomic on its own; a failure half-way is reported graph by graph) and the metadata last.
Re-running either mode with the same build gives the same store.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from core.settings import DataFile, StoreLocation
from server.remote.connections import BadAnswer, Connections, TimedOut, Unreachable
from server.remote.meta import FIND_QUERY, Published, meta_graph_iri, meta_triples, read_published


class PublishError(Exception):
    """The publish stopped; ``report`` says what the store holds now."""

    def __init__(self, message: str, report: PublishReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class GraphUpload:
    """One named graph to publish, as N-Triples, with the triple count the store must then report."""

    iri: str
    ntriples: bytes
    triples: int


@dataclass
class PublishReport:
    """What happened to each graph, and how long it took."""

    uploaded: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    not_replaced: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"replaced ({len(self.replaced)}): " + (", ".join(self.replaced) or "none"),
            f"not replaced ({len(self.not_replaced)}): " + (", ".join(self.not_replaced) or "none"),
            *([f"dropped (no longer in the build): {', '.join(self.dropped)}"] if self.dropped else []),
        ]


# what to publish ---------------------------------------------------------------------------------------
def from_build(build_dir: Path) -> tuple[Published, list[GraphUpload]]:
    """The graphs of ``kg.nq`` and the manifest of a build, refusing a build that does not match it."""
    manifest_path, nquads = build_dir / "manifest.json", build_dir / "kg.nq"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        content = nquads.read_bytes()
    except (OSError, ValueError) as error:
        raise ValueError(f"no readable build in {build_dir} ({error}); run `kg build` first") from None
    if hashlib.sha256(content).hexdigest() != manifest.get("version"):
        raise ValueError(f"{nquads} does not match the version in {manifest_path} (truncated or modified?)")
    base = str(manifest.get("base_iri", ""))
    uploads, examples = _split(ox.parse(content, format=ox.RdfFormat.N_QUADS), base + "id/")
    return Published(meta_graph_iri(base), manifest, examples), uploads


def from_files(files: Iterable[DataFile], base_iri: str) -> tuple[Published, list[GraphUpload]]:
    """RDF files into the named graphs they name (``GRAPH=FILE``), versioned by their content's hash."""
    digest, quads = hashlib.sha256(), []
    for data in files:
        if data.graph is None:
            raise ValueError(
                f"{data.path}: give the graph it goes to (GRAPH=FILE); the store's default graph "
                "is not part of a published dataset"
            )
        content = data.path.read_bytes()
        digest.update(content)
        rdf_format = ox.RdfFormat.from_extension(data.path.suffix.lstrip("."))
        if rdf_format is None:
            raise ValueError(f"{data.path}: unknown RDF format")
        graph = ox.NamedNode(data.graph)
        parsed = ox.parse(content, format=rdf_format, base_iri=data.path.absolute().as_uri())
        quads += [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed]
    uploads, examples = _split(quads, base_iri + "id/")
    graphs = {u.iri: {"role": "data", "triples": u.triples} for u in uploads}
    manifest = {
        "version": digest.hexdigest(),
        "base_iri": base_iri,
        "graphs": graphs,
        "triples": sum(u.triples for u in uploads),
    }
    return Published(meta_graph_iri(base_iri), manifest, examples), uploads


def _split(quads: Iterable[ox.Quad], space: str, examples: int = 3) -> tuple[list[GraphUpload], tuple[str, ...]]:
    by_graph: dict[str, list[ox.Triple]] = {}
    subjects: set[str] = set()
    blank_graphs: dict[ox.BlankNode, str] = {}
    for quad in quads:
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise ValueError("the build has triples outside any named graph; only named graphs are published")
        for term in (quad.subject, quad.object):  # one PUT per graph would split a blank node shared by two
            if isinstance(term, ox.BlankNode) and blank_graphs.setdefault(term, quad.graph_name.value) != (
                quad.graph_name.value
            ):
                raise ValueError(f"blank node {term} is shared by two named graphs; it cannot be published per graph")
        by_graph.setdefault(quad.graph_name.value, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
        if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(space):
            subjects.add(quad.subject.value)
    uploads = [
        GraphUpload(iri, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", len(set(triples)))
        for iri, triples in sorted(by_graph.items())
    ]
    return uploads, tuple(sorted(subjects)[:examples])


# publishing --------------------------------------------------------------------------------------------
class Publisher:
    """Talks to one store's query, update and graph store endpoints."""

    def __init__(self, location: StoreLocation, timeout: float = 300.0) -> None:
        self.location = location
        self.timeout = timeout
        self._connections = Connections(location.url, 1)

    def publish(
        self,
        published: Published,
        uploads: list[GraphUpload],
        direct: bool = False,
        progress: Callable[[str], None] = lambda _: None,
    ) -> PublishReport:
        started = time.monotonic()
        report = PublishReport(not_replaced=[u.iri for u in uploads])
        meta = GraphUpload(
            published.iri,
            ox.serialize(meta_triples(published), format=ox.RdfFormat.N_TRIPLES) or b"",
            len(meta_triples(published)),
        )
        try:
            previous = self._previous_graphs()
            stale = sorted(previous - {u.iri for u in uploads} - {published.iri})
            if direct:
                self._direct(uploads, meta, report, progress)
                self._drop(stale, report)
            else:
                self._staged(uploads, meta, stale, report, progress)
        except _Failed as failure:
            report.seconds = time.monotonic() - started
            raise PublishError(str(failure), report) from None
        finally:
            self._connections.close()
        report.seconds = time.monotonic() - started
        return report

    def _staged(
        self,
        uploads: list[GraphUpload],
        meta: GraphUpload,
        stale: list[str],
        report: PublishReport,
        progress: Callable[[str], None],
    ) -> None:
        token = secrets.token_hex(6)
        staging = {u.iri: f"urn:x-kg-publish:{token}:{index}" for index, u in enumerate([*uploads, meta])}
        try:
            for upload in [*uploads, meta]:
                self._put(staging[upload.iri], upload)
                self._verify(staging[upload.iri], upload.triples)
                report.uploaded.append(upload.iri)
                progress(f"uploaded {upload.iri} ({upload.triples} triples)")
        except _Failed as failure:
            self._quietly_drop(list(staging.values()))
            raise _Failed(f"{failure}; no graph was replaced (the store's previous graphs are untouched)") from None
        moves = [f"MOVE GRAPH <{staging[u.iri]}> TO GRAPH <{u.iri}>" for u in [*uploads, meta]]
        drops = [f"DROP SILENT GRAPH <{iri}>" for iri in stale]
        try:
            self._update(" ;\n".join(moves + drops))
        except _Failed as failure:
            self._quietly_drop(list(staging.values()))
            raise _Failed(
                f"the switch to the new graphs failed ({failure}); a store that applies an update "
                "request atomically (Oxigraph, Fuseki) still holds its previous graphs"
            ) from None
        report.replaced, report.not_replaced, report.dropped = [u.iri for u in uploads], [], stale
        for upload in uploads:
            self._verify(upload.iri, upload.triples)

    def _direct(
        self, uploads: list[GraphUpload], meta: GraphUpload, report: PublishReport, progress: Callable[[str], None]
    ) -> None:
        for upload in uploads:
            self._put(upload.iri, upload)
            self._verify(upload.iri, upload.triples)
            report.replaced.append(upload.iri)
            report.not_replaced.remove(upload.iri)
            progress(f"replaced {upload.iri} ({upload.triples} triples)")
        self._put(meta.iri, meta)  # last: replicas switch version once every graph is in place

    def _drop(self, graphs: list[str], report: PublishReport) -> None:
        for iri in graphs:
            reply = self._request("DELETE", self._gsp(iri))
            if reply.status not in (200, 204, 404):
                raise _Failed(f"could not drop {iri} ({reply.status}: {reply.text[:200]})")
            report.dropped.append(iri)

    def _quietly_drop(self, graphs: list[str]) -> None:
        with contextlib.suppress(_Failed):
            self._update(" ;\n".join(f"DROP SILENT GRAPH <{iri}>" for iri in graphs))

    # protocol operations ---------------------------------------------------------------------------
    def _previous_graphs(self) -> set[str]:
        rows = self._select(FIND_QUERY)
        graphs: set[str] = set()
        for row in rows:
            try:
                graphs |= set(read_published(row["g"]["value"], row["m"]["value"]).data_graphs)
            except (ValueError, KeyError):
                continue
        return graphs

    def _put(self, graph: str, upload: GraphUpload) -> None:
        reply = self._request("PUT", self._gsp(graph), upload.ntriples, {"Content-Type": "application/n-triples"})
        if reply.status not in (200, 201, 204):
            raise _Failed(f"uploading {upload.iri} failed ({reply.status}: {reply.text[:300]})")

    def _verify(self, graph: str, expected: int) -> None:
        rows = self._select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        found = int(rows[0]["n"]["value"]) if rows else 0
        if found != expected:
            raise _Failed(f"the store holds {found} triples in {graph}, {expected} were sent")

    def _select(self, query: str) -> list[dict]:
        body = urlencode({"query": query}).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"}
        reply = self._request("POST", self.location.query_path, body, headers)
        if reply.status != 200:
            raise _Failed(f"query refused ({reply.status}: {reply.text[:300]})")
        try:
            return list(json.loads(reply.body)["results"]["bindings"])
        except (ValueError, KeyError) as error:
            raise _Failed(f"unreadable query answer ({error})") from None

    def _update(self, update: str) -> None:
        body = urlencode({"update": update}).encode("utf-8")
        reply = self._request(
            "POST", self.location.update_path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if reply.status not in (200, 204):
            raise _Failed(f"SPARQL Update refused ({reply.status}: {reply.text[:300]})")

    def _gsp(self, graph: str) -> str:
        return f"{self.location.gsp_path}?{urlencode({'graph': graph})}"

    def _request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None):
        try:
            return self._connections.request(method, path, time.monotonic() + self.timeout, body, headers)
        except Unreachable as error:
            raise _Failed(f"the store at {self.location.url} is unreachable ({error})") from None
        except TimedOut:
            raise _Failed(f"the store did not answer within {self.timeout:g} s") from None
        except BadAnswer as error:
            raise _Failed(str(error)) from None


class _Failed(Exception):
    """One step of the publish failed; the message says which and why."""
