"""Loading the data the endpoint serves, once, into a pyoxigraph store, with what is known about it.

Two sources: the build directory written by ``kg build`` (``kg.nq`` plus ``manifest.json``, which gives
the dataset version, the graphs and the dumps), or arbitrary RDF files (``--data``), which the W3C
conformance tests need. The evaluation service loads once and forks its first evaluators from that store;
the files stay open (:class:`StoreSource`) so that a replacement evaluator loads the very same bytes again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from core.settings import DataFile, Settings

_XML_ENTITY = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class DatasetError(Exception):
    """The data to serve is missing or unreadable; the message says what to do."""


@dataclass(frozen=True, slots=True)
class GraphInfo:
    """A named graph the endpoint holds, with its role in the knowledge graph."""

    iri: str
    role: str
    triples: int


@dataclass(frozen=True, slots=True)
class Dump:
    """A downloadable serialisation of the whole dataset, served under ``/dumps/``."""

    name: str
    format: str
    media_type: str
    sha256: str
    size: int
    path: Path


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about the loaded data, used by the service description, VoID, dumps and health."""

    version: str
    base_iri: str
    triples: int
    graphs: tuple[GraphInfo, ...]
    dumps: dict[str, Dump] = field(default_factory=dict)
    example_resources: tuple[str, ...] = ()
    linksets: dict[str, int] = field(default_factory=dict)  # outside target -> number of skos:exactMatch links


@dataclass(frozen=True)
class _Part:
    """One file of the data, held open, and how it is loaded."""

    file: BinaryIO
    path: Path
    format: ox.RdfFormat
    base_iri: str | None = None
    to_graph: ox.NamedNode | None = None
    lenient: bool = False

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def load_into(self, store: ox.Store, content: bytes) -> None:
        store.load(content, format=self.format, base_iri=self.base_iri, to_graph=self.to_graph, lenient=self.lenient)


@dataclass(frozen=True)
class StoreSource:
    """The files a store was loaded from, held open, so that the same data can be loaded again later.

    Oxigraph's in-memory store writes to the quads it reads (each carries a lock on its version range), so an
    evaluator forked from a loaded store ends up with a private copy of every page it reads: a store kept
    only to fork replacements from is one more whole copy of the data. The evaluation service therefore lets
    its store go once the first evaluators are forked and loads a new one for each replacement. ``kg build``
    swaps a new directory in and deletes the old one, and an open file keeps the old bytes readable, so a
    replacement started hours later serves the version every other process announces; the bytes are checked
    against that version again, and a file rewritten in place is refused instead of served under it.
    """

    parts: tuple[_Part, ...]
    version: str

    def load(self) -> ox.Store:
        store = ox.Store()
        digest = hashlib.sha256()
        for part in self.parts:
            try:
                content = part.read()
            except OSError as error:
                raise DatasetError(f"cannot read {part.path} again: {error.strerror}") from error
            digest.update(content)
            try:
                part.load_into(store, content)
            except (SyntaxError, ValueError) as error:
                raise DatasetError(f"{part.path}: {error}") from error
        if digest.hexdigest() != self.version:
            raise DatasetError(f"the data changed on disk since the server started ({self.parts[0].path}); restart it")
        return store


@dataclass(frozen=True)
class LoadedDataset:
    """The store, its description and where it came from (to load it again: see :class:`StoreSource`)."""

    store: ox.Store
    info: DatasetInfo
    source: StoreSource


def load_dataset(settings: Settings) -> LoadedDataset:
    """Load ``--data`` files when given, the build directory otherwise."""
    if settings.data_files:
        return _load_files(settings.data_files, settings.base_iri)
    return _load_build(Path(settings.build_dir))


def _load_build(build_dir: Path) -> LoadedDataset:
    manifest_path, nquads = build_dir / "manifest.json", build_dir / "kg.nq"
    if not manifest_path.is_file() or not nquads.is_file():
        raise DatasetError(f"no graph build in {build_dir}: run `kg build` first (or pass --build-dir)")
    manifest, part, content = _read_build(build_dir, manifest_path, nquads)
    store = ox.Store()
    try:
        part.load_into(store, content)
    except (SyntaxError, ValueError) as error:
        raise DatasetError(f"{nquads}: {error}; run `kg build` again") from error
    graphs = tuple(
        GraphInfo(iri=iri, role=str(entry.get("role", "")), triples=int(entry.get("triples", 0)))
        for iri, entry in sorted(manifest.get("graphs", {}).items())
    )
    dumps = dumps_from_manifest(manifest, build_dir)
    base_iri = manifest.get("base_iri", "")
    info = DatasetInfo(
        version=manifest["version"],
        base_iri=base_iri,
        triples=int(manifest.get("triples", len(store))),
        graphs=graphs,
        dumps=dumps,
        example_resources=_example_resources(store, base_iri),
        linksets=linkset_counts(store),
    )
    return LoadedDataset(store=store, info=info, source=StoreSource((part,), info.version))


LINK_TARGETS = {"geonames": "https://sws.geonames.org/", "wikidata": "http://www.wikidata.org/entity/"}


def linkset_counts(store: ox.Store) -> dict[str, int]:
    """How many ``skos:exactMatch`` links point into each outside dataset (VoID linksets)."""
    counts = dict.fromkeys(LINK_TARGETS, 0)
    query = "SELECT DISTINCT ?s ?o WHERE { GRAPH ?g { ?s <http://www.w3.org/2004/02/skos/core#exactMatch> ?o } }"
    for row in store.query(query):  # type: ignore[union-attr]
        for name, prefix in LINK_TARGETS.items():
            if row["o"].value.startswith(prefix):
                counts[name] += 1
    return {name: n for name, n in counts.items() if n}


def dumps_from_manifest(manifest: dict, build_dir: Path) -> dict[str, Dump]:
    """The dumps a build's manifest lists and its directory holds, by file name."""
    return {
        entry["file"]: Dump(
            name=entry["file"],
            format=key,
            media_type=entry["media_type"],
            sha256=entry["sha256"],
            size=int(entry["bytes"]),
            path=build_dir / entry["file"],
        )
        for key, entry in manifest.get("dumps", {}).items()
        if (build_dir / entry["file"]).is_file()
    }


def _read_build(build_dir: Path, manifest_path: Path, nquads: Path) -> tuple[dict, _Part, bytes]:
    """The manifest, the open N-Quads file and its bytes, refusing a build its manifest does not describe.

    A copy cut short at a line boundary still parses, so without this check the server would serve part
    of the data under the full build's version; the version is the N-Quads file's SHA-256, so comparing
    them catches truncation and corruption alike, and a broken manifest gets a message instead of a trace.
    """
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        version = manifest["version"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise DatasetError(f"{manifest_path} is unreadable or incomplete ({error}); run `kg build` again") from error
    try:
        # lenient: skip IRI and language-tag validation, a third of the load time. The bytes are the ones
        # the build serialised from validated terms, as their SHA-256 (the version) shows just below.
        part = _Part(file=nquads.open("rb"), path=nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
        content = part.read()
    except OSError as error:
        raise DatasetError(f"cannot read {nquads}: {error.strerror}") from error
    if hashlib.sha256(content).hexdigest() != version:
        part.file.close()
        raise DatasetError(
            f"{nquads} does not match the version in {manifest_path.name} (truncated or modified?); "
            "run `kg build` again"
        )
    return manifest, part, content


def _load_files(files: tuple[DataFile, ...], base_iri: str) -> LoadedDataset:
    store = ox.Store()
    digest = hashlib.sha256()
    parts = []
    for data in files:
        rdf_format = ox.RdfFormat.from_extension(data.path.suffix.lstrip("."))
        if rdf_format is None:
            raise DatasetError(f"{data.path}: unknown RDF format (use a standard file extension)")
        target = ox.NamedNode(data.graph) if data.graph and not rdf_format.supports_datasets else None
        part, content = _read_data_file(data.path, rdf_format, target)
        parts.append(part)
        digest.update(content)
        try:
            part.load_into(store, content)
        except (SyntaxError, ValueError) as error:
            raise DatasetError(f"{data.path}: {error}") from error
    graphs = _count_graphs(store)
    info = DatasetInfo(
        version=digest.hexdigest(),
        base_iri=base_iri,
        triples=len(store),
        graphs=graphs,
        example_resources=_example_resources(store, base_iri),
        linksets=linkset_counts(store),
    )
    return LoadedDataset(store=store, info=info, source=StoreSource(tuple(parts), info.version))


def _read_data_file(path: Path, rdf_format: ox.RdfFormat, target: ox.NamedNode | None) -> tuple[_Part, bytes]:
    """Open and read a data file, refusing XML entity declarations (expansion bombs in RDF/XML)."""
    try:
        part = _Part(
            file=path.open("rb"), path=path, format=rdf_format, base_iri=path.absolute().as_uri(), to_graph=target
        )
        content = part.read()
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror}") from error
    if path.suffix.lower() in (".rdf", ".xml", ".owl") and _XML_ENTITY.search(content):
        part.file.close()
        raise DatasetError(f"{path}: RDF/XML with DOCTYPE or ENTITY declarations is refused")
    return part, content


def _count_graphs(store: ox.Store) -> tuple[GraphInfo, ...]:
    counts = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    return tuple(
        GraphInfo(iri=row["g"].value, role="data", triples=int(row["n"].value))
        for row in counts  # type: ignore[union-attr]
    )


def _example_resources(store: ox.Store, base_iri: str, limit: int = 3) -> tuple[str, ...]:
    """A few entity IRIs under ``{base}id/`` (or any subjects), for ``void:exampleResource``.

    The first ones the store yields, not the smallest: ordering every subject took 1.2 s of the start-up at
    a million triples, and any entity is an example.
    """
    for space in (base_iri + "id/", ""):
        query = (
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?space {{ {ox.Literal(space)} }} ?s ?p ?o "
            f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?space)) }} LIMIT {limit}"
        )
        rows = store.query(query, use_default_graph_as_union=True)
        found = tuple(sorted(row["s"].value for row in rows))  # type: ignore[union-attr]
        if found:
            return found
    return ()
