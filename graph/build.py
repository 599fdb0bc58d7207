"""From ontology and seeds to a dataset of named graphs, then to files on disk.

``build_dataset`` is pure: it reads the inputs and returns the dataset and its
statistics, or raises ``BuildError`` listing every problem with file and line.
``write_build`` writes dumps, manifest, statistics and ontology documentation into a
fresh directory and swaps it in only when everything is written, so a failed build
leaves the last good one in place.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from core.catalogue import PAGE_QUERIES, load_catalogue
from core.errors import BuildError, Problem
from core.iris import DEFAULT_BASE_IRI
from core.settings import Settings
from graph.cache import stage_cache
from graph.checks import run_checks
from graph.docs import DocsError, start_ontology_docs
from graph.dumps import FORMATS, canonical_blank_nodes, serialise_all
from graph.iris import Iris
from graph.links import build_links
from graph.mapping import MappedGraphs, map_seeds
from graph.reasoning import infer, outside_owl2
from graph.records import Seeds
from graph.seeds import load_seeds
from graph.stats import compute_stats, unknown_not_factual
from graph.validation import load_shapes, validate
from graph.vocabulary import index_vocabulary, load_ontology

MANIFEST = "manifest.json"
STATS = "stats.json"


@dataclass
class BuildResult:
    dataset: Dataset
    graph_roles: dict[URIRef, str]
    seeds: Seeds
    mapped: MappedGraphs
    stats: dict[str, Any]  # JSON, as written to stats.json
    timings: dict[str, float] = field(default_factory=dict)


def rebase(graph: Graph, old: str, new: str) -> Graph:
    """The same graph with every IRI under ``old`` moved under ``new``."""
    if old == new:
        return graph

    def move(term: object) -> object:
        if isinstance(term, URIRef) and str(term).startswith(old):
            return URIRef(new + str(term)[len(old) :])
        return term

    moved = Graph()
    for s, p, o in graph:
        moved.add((move(s), move(p), move(o)))  # type: ignore[arg-type]
    return moved


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Add the time spent in the block to ``timings[stage]`` (shown by ``kg build -v``)."""
    tick = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - tick


def build_dataset(settings: Settings) -> BuildResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    iris = Iris(settings.base_iri)
    with _timed(timings, "load"):
        ontology = rebase(load_ontology(settings.ontology_dir), DEFAULT_BASE_IRI, settings.base_iri)
        vocab = index_vocabulary(ontology, iris.ontology_namespace)
        seeds = load_seeds(settings.seeds_dir)
    with _timed(timings, "map"):
        mapped = map_seeds(seeds, vocab, iris)
        stray = [p for document in seeds.documents for p in unknown_not_factual(document)]
    if stray:
        raise BuildError(stray)
    with _timed(timings, "links"):
        links = build_links(settings.seeds_dir, seeds, iris)

    graphs: dict[URIRef, tuple[str, Graph]] = {
        iris.graph("ontology"): ("ontology", canonical_blank_nodes(ontology)),
        iris.graph("entities"): ("entities", mapped.entities),
        **{iris.graph("facts", doc): ("facts", g) for doc, g in sorted(mapped.facts.items())},
        iris.graph("provenance"): ("provenance", mapped.provenance),
        **{iris.graph("links", package): ("links", g) for package, g in links.graphs.items()},
    }
    if settings.reasoner:
        with _timed(timings, "reasoner"):
            # the ontology with canonical blank nodes, so the reasoner's cache key is the same across builds
            reasoned = [graphs[iris.graph("ontology")][1], mapped.entities, *mapped.facts.values()]
            reasoner_cache = stage_cache(settings.build_dir, "reasoner")
            graphs[iris.graph("inferences")] = ("inferences", infer(reasoned, iris.base + "id/", reasoner_cache))

    with _timed(timings, "shacl"):
        shapes_path = settings.ontology_dir / "shapes.ttl"
        union = Graph()
        for _role, graph in graphs.values():
            union += graph
        validate(union, rebase(load_shapes(shapes_path), DEFAULT_BASE_IRI, settings.base_iri), shapes_path)
        _refuse_outside_owl2(union)

    with _timed(timings, "checks"):
        dataset = Dataset()
        for name, (_role, graph) in graphs.items():
            target = dataset.graph(name)
            for triple in graph:
                target.add(triple)
        roles = {name: role for name, (role, _g) in graphs.items()}
        run_checks(dataset, settings.queries_dir / "checks", settings.base_iri)
    with _timed(timings, "queries"):
        load_catalogue(settings.queries_dir, settings.base_iri)  # a saved query that does not parse fails here
        load_catalogue(settings.queries_dir / PAGE_QUERIES, settings.base_iri)  # and so does a page query
    with _timed(timings, "stats"):
        stats = compute_stats(dataset, roles, seeds, mapped, vocab)
    timings["total"] = time.perf_counter() - started
    return BuildResult(dataset=dataset, graph_roles=roles, seeds=seeds, mapped=mapped, stats=stats, timings=timings)


def _refuse_outside_owl2(union: Graph) -> None:
    """The published dump must load in OWL 2 tools as it is: no literal outside the OWL 2 datatype map."""
    stray = outside_owl2(union)
    if stray:
        raise BuildError(
            [
                Problem("dataset", None, f"{o.n3()} on <{s}> <{p}> has a datatype outside the OWL 2 datatype map")
                for s, p, o in sorted(stray, key=str)[:20]
            ]
        )


def write_build(result: BuildResult, settings: Settings) -> dict[str, Any]:
    """Write every dump, the manifest and the docs, then swap the directory in atomically."""
    target = settings.build_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    docs = None
    try:
        if settings.docs:  # rendered beside the dumps, in a process of its own when not cached
            ontology = result.dataset.graph(URIRef(Iris(settings.base_iri).graph("ontology")))
            with _timed(result.timings, "docs"):
                docs = start_ontology_docs(ontology, staging / "ontology", cache_dir=stage_cache(target, "docs"))
        dumps: dict[str, dict[str, object]] = {}
        with _timed(result.timings, "dumps"):
            serialised = serialise_all(result.dataset, settings.base_iri)
        for name, data in serialised.items():
            fmt = FORMATS[name]
            (staging / fmt.file).write_bytes(data)
            dumps[name] = {
                "file": fmt.file,
                "media_type": fmt.media_type,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        manifest = {
            "version": dumps["nquads"]["sha256"],
            "base_iri": settings.base_iri,
            "triples": sum(len(result.dataset.graph(g)) for g in result.graph_roles),
            "graphs": {
                str(g): {"role": role, "triples": len(result.dataset.graph(g))}
                for g, role in sorted(result.graph_roles.items())
            },
            "dumps": dumps,
            "documents": {
                d.id: {
                    "text": str(d.text_file.relative_to(settings.seeds_dir)),
                    "sha256": hashlib.sha256(d.text.encode()).hexdigest(),
                }
                for d in result.seeds.documents
            },
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (staging / STATS).write_text(json.dumps(result.stats, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if docs is not None:
            with _timed(result.timings, "docs"):
                try:
                    docs.finish()
                except DocsError as error:
                    raise BuildError([Problem(settings.ontology_dir, None, f"pyLODE: {error}")]) from None
        _swap_in(staging, target)
    except BaseException:
        if docs is not None:
            docs.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _swap_in(staging: Path, target: Path) -> None:
    retired = None
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        retired.rmdir()
        target.rename(retired)
    staging.rename(target)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def build(settings: Settings) -> tuple[BuildResult, dict[str, Any]]:
    """Build and write; on any input problem raise BuildError and leave the old build as it was."""
    result = build_dataset(settings)
    manifest = write_build(result, settings)
    return result, manifest


def read_manifest(build_dir: Path) -> dict[str, Any]:
    path = build_dir / MANIFEST
    if not path.exists():
        raise BuildError([Problem(build_dir, None, "no build found: run `kg build` first")])
    return json.loads(path.read_text(encoding="utf-8"))
