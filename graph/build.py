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
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from graph.checks import run_checks
from graph.docs import write_ontology_docs
from graph.dumps import FORMATS, canonical_blank_nodes, serialise_all
from graph.errors import BuildError, Problem
from graph.iris import Iris
from graph.links import build_links
from graph.mapping import MappedGraphs, map_seeds
from graph.reasoning import infer, outside_owl2
from graph.seeds import Seeds, load_seeds
from graph.settings import DEFAULT_BASE_IRI, BuildSettings
from graph.stats import compute_stats, unknown_not_factual
from graph.validation import load_shapes, validate
from graph.vocabulary import index_vocabulary, load_ontology
from server.saved.catalogue import load_catalogue

MANIFEST = "manifest.json"
STATS = "stats.json"


@dataclass
class BuildResult:
    dataset: Dataset
    graph_roles: dict[URIRef, str]
    seeds: Seeds
    mapped: MappedGraphs
    stats: dict[str, object]
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


def build_dataset(settings: BuildSettings) -> BuildResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    iris = Iris(settings.base_iri)
    ontology = rebase(load_ontology(settings.ontology_dir), DEFAULT_BASE_IRI, settings.base_iri)
    vocab = index_vocabulary(ontology, iris.ontology_namespace)
    seeds = load_seeds(settings.seeds_dir)
    mapped = map_seeds(seeds, vocab, iris)
    stray = [p for document in seeds.documents for p in unknown_not_factual(document)]
    if stray:
        raise BuildError(stray)
    links = build_links(settings.seeds_dir, seeds, iris)
    timings["map"] = time.perf_counter() - started

    graphs: dict[URIRef, tuple[str, Graph]] = {
        iris.graph("ontology"): ("ontology", canonical_blank_nodes(ontology)),
        iris.graph("entities"): ("entities", mapped.entities),
        **{iris.graph("facts", doc): ("facts", g) for doc, g in sorted(mapped.facts.items())},
        iris.graph("provenance"): ("provenance", mapped.provenance),
        **{iris.graph("links", package): ("links", g) for package, g in links.graphs.items()},
    }
    if settings.reasoner:
        tick = time.perf_counter()
        reasoned = [ontology, mapped.entities, *mapped.facts.values()]
        graphs[iris.graph("inferences")] = ("inferences", infer(reasoned, iris.base + "id/"))
        timings["reasoner"] = time.perf_counter() - tick

    tick = time.perf_counter()
    shapes_path = settings.ontology_dir / "shapes.ttl"
    union = Graph()
    for _role, graph in graphs.values():
        union += graph
    validate(union, rebase(load_shapes(shapes_path), DEFAULT_BASE_IRI, settings.base_iri), shapes_path)
    _refuse_outside_owl2(union)
    timings["shacl"] = time.perf_counter() - tick

    dataset = Dataset()
    for name, (_role, graph) in graphs.items():
        target = dataset.graph(name)
        for triple in graph:
            target.add(triple)
    roles = {name: role for name, (role, _g) in graphs.items()}
    run_checks(dataset, settings.queries_dir / "checks", settings.base_iri)
    load_catalogue(settings.queries_dir, settings.base_iri)  # a saved query that does not parse fails here
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


def write_build(result: BuildResult, settings: BuildSettings) -> dict[str, object]:
    """Write every dump, the manifest and the docs, then swap the directory in atomically."""
    target = settings.build_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    try:
        dumps: dict[str, dict[str, object]] = {}
        for name, data in serialise_all(result.dataset, settings.base_iri).items():
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
        if settings.docs:
            ontology = result.dataset.graph(URIRef(Iris(settings.base_iri).graph("ontology")))
            write_ontology_docs(ontology, staging / "ontology")
        _swap_in(staging, target)
    except BaseException:
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


def build(settings: BuildSettings) -> tuple[BuildResult, dict[str, object]]:
    """Build and write; on any input problem raise BuildError and leave the old build as it was."""
    result = build_dataset(settings)
    manifest = write_build(result, settings)
    return result, manifest


def read_manifest(build_dir: Path) -> dict[str, object]:
    path = build_dir / MANIFEST
    if not path.exists():
        raise BuildError([Problem(build_dir, None, "no build found: run `kg build` first")])
    return json.loads(path.read_text(encoding="utf-8"))
