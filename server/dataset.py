"""Loading the data the endpoint serves, once, into a pyoxigraph store, with what is known about it.

Two sources: the build directory written by ``kg build`` (``kg.nq`` plus ``manifest.json``, which gives
the dataset version, the graphs and the dumps), or arbitrary RDF files (``--data``), which the W3C
conformance tests need. Loading happens before any process is forked so that every worker shares the
store's memory.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

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
class LoadedDataset:
    """The store and its description, shared read-only by every process of the server."""

    store: ox.Store
    info: DatasetInfo


def load_dataset(settings: Settings) -> LoadedDataset:
    """Load ``--data`` files when given, the build directory otherwise."""
    if settings.data_files:
        return _load_files(settings.data_files, settings.base_iri)
    return _load_build(Path(settings.build_dir))


def _load_build(build_dir: Path) -> LoadedDataset:
    manifest_path, nquads = build_dir / "manifest.json", build_dir / "kg.nq"
    if not manifest_path.is_file() or not nquads.is_file():
        raise DatasetError(f"no graph build in {build_dir}: run `kg build` first (or pass --build-dir)")
    manifest, content = _read_build(build_dir, manifest_path, nquads)
    store = ox.Store()
    try:
        # lenient: skip IRI and language-tag validation, a third of the load time. The bytes are the ones
        # the build serialised from validated terms, as their SHA-256 (the version) has just shown.
        store.load(content, format=ox.RdfFormat.N_QUADS, lenient=True)
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
    return LoadedDataset(store=store, info=info)


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


def _read_build(build_dir: Path, manifest_path: Path, nquads: Path) -> tuple[dict, bytes]:
    """The manifest and the N-Quads bytes, refusing a build that is not the one its manifest describes.

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
        content = nquads.read_bytes()
    except OSError as error:
        raise DatasetError(f"cannot read {nquads}: {error.strerror}") from error
    if hashlib.sha256(content).hexdigest() != version:
        raise DatasetError(
            f"{nquads} does not match the version in {manifest_path.name} (truncated or modified?); "
            "run `kg build` again"
        )
    return manifest, content


def _load_files(files: tuple[DataFile, ...], base_iri: str) -> LoadedDataset:
    store = ox.Store()
    digest = hashlib.sha256()
    for data in files:
        content = _read_data_file(data.path)
        digest.update(content)
        rdf_format = ox.RdfFormat.from_extension(data.path.suffix.lstrip("."))
        if rdf_format is None:
            raise DatasetError(f"{data.path}: unknown RDF format (use a standard file extension)")
        target = ox.NamedNode(data.graph) if data.graph and not rdf_format.supports_datasets else None
        try:
            store.load(content, format=rdf_format, base_iri=data.path.absolute().as_uri(), to_graph=target)
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
    return LoadedDataset(store=store, info=info)


def _read_data_file(path: Path) -> bytes:
    """Read a data file, refusing XML entity declarations (expansion bombs in RDF/XML)."""
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DatasetError(f"cannot read {path}: {error.strerror}") from error
    if path.suffix.lower() in (".rdf", ".xml", ".owl") and _XML_ENTITY.search(content):
        raise DatasetError(f"{path}: RDF/XML with DOCTYPE or ENTITY declarations is refused")
    return content


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
