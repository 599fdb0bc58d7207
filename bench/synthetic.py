"""A deterministic synthetic corpus of about a million triples shaped like the interview graph.

The interview's own build is the template: the corpus is that graph plus many more "interviews", each a
copy of its facts, quotes and provenance under a new document name. Places, themes and the vocabulary
(units, statuses) are shared by all copies, as they would be in a real corpus; each other entity (people,
organisations, initiatives, figures...) is, with a seeded probability, a new entity of that copy (its IRI
gets a ``-k<copy>`` suffix) or the same entity mentioned again. The ontology graph appears once. Saved
queries, with their example parameters, therefore work on it unchanged and simply see more data.

The output is a build directory (``kg.nq`` and ``manifest.json``, as ``kg build`` writes them), cached
under ``bench/.cache/`` by template digest, size and seed.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from pathlib import Path

BASE = "https://w3id.org/morocco-digital-kg/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SHARED_CLASSES = frozenset(
    f"<{BASE}ontology/{name}>" for name in ("Theme", "Country", "City", "Continent", "Region")
) | {"<http://www.w3.org/2004/02/skos/core#ConceptScheme>"}
RENAMED_SHARE = 0.95  # of the entities that are not places or themes, how many are new in each copy
_ENTITY = re.compile(re.escape(f"<{BASE}id/") + r"([^>]+)>")
_DOCUMENT = re.compile(re.escape(f"<{BASE}doc/") + r"([^>/]+)>")
_GRAPH = re.compile(r"(<[^>]*>) \.\s*$")


def generate(template: Path, target_triples: int, out_dir: Path, seed: int = 8) -> Path:
    """Write (or reuse) the corpus built from ``template`` (an N-Quads file) into a build directory."""
    lines = template.read_text(encoding="utf-8").splitlines()
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:12]
    build = out_dir / f"synthetic-{target_triples}-{seed}-{digest}"
    if (build / "manifest.json").is_file():
        return build
    build.mkdir(parents=True, exist_ok=True)
    typed = _entity_types(lines)
    renamable = sorted(slug for slug, types in typed.items() if not types & SHARED_CLASSES)
    documents = sorted({match.group(1) for line in lines for match in _DOCUMENT.finditer(line)})
    ontology_graph = f"<{BASE}graph/ontology>"
    rng = random.Random(seed)
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    output: list[str] = []

    def emit(line: str) -> None:
        if line not in seen:
            seen.add(line)
            output.append(line)
            counts[_graph_of(line)] += 1

    for line in lines:
        emit(line)
    copy = 0
    while len(output) < target_triples:
        copy += 1
        renamed = {slug for slug in renamable if slug.startswith("figure") or rng.random() < RENAMED_SHARE}
        for line in lines:
            if _graph_of(line) == ontology_graph:
                continue
            emit(_rename(line, copy, renamed, documents))
    body = ("\n".join(output) + "\n").encode("utf-8")
    (build / "kg.nq").write_bytes(body)
    sha = hashlib.sha256(body).hexdigest()
    manifest = {
        "version": sha,
        "base_iri": BASE,
        "graphs": {graph.strip("<>"): {"role": _role(graph), "triples": n} for graph, n in sorted(counts.items())},
        "dumps": {"nquads": {"file": "kg.nq", "media_type": "application/n-quads", "sha256": sha, "bytes": len(body)}},
        "triples": len(output),
        "synthetic": {"template": str(template), "copies": copy + 1, "seed": seed},
    }
    (build / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return build


def _entity_types(lines: list[str]) -> dict[str, set[str]]:
    types: dict[str, set[str]] = {}
    for line in lines:
        match = _ENTITY.match(line)
        if match:
            entry = types.setdefault(match.group(1), set())
            parts = line.split(" ")
            if len(parts) > 2 and parts[1] == RDF_TYPE:
                entry.add(parts[2])
    return types


def _rename(line: str, copy: int, renamed: set[str], documents: list[str]) -> str:
    def entity(match: re.Match[str]) -> str:
        slug = match.group(1)
        return f"<{BASE}id/{slug}-k{copy}>" if slug in renamed else match.group(0)

    line = _ENTITY.sub(entity, line)
    for document in documents:
        line = line.replace(f"/{document}>", f"/{document}-k{copy}>").replace(f"/{document}/", f"/{document}-k{copy}/")
    return line


def _graph_of(line: str) -> str:
    match = _GRAPH.search(line)
    return match.group(1) if match else ""


def _role(graph: str) -> str:
    return graph.strip("<>").removeprefix(BASE + "graph/").split("/")[0]


def sample_entities(build: Path, limit: int = 400, seed: int = 8) -> list[str]:
    """Entity IRIs of ``build`` for ad-hoc lookups, chosen with a seed so every server gets the same."""
    slugs = set()
    with (build / "kg.nq").open(encoding="utf-8") as nquads:
        for line in nquads:
            match = _ENTITY.match(line)
            if match:
                slugs.add(match.group(1))
    ordered = sorted(slugs)
    return [f"{BASE}id/{slug}" for slug in random.Random(seed).sample(ordered, min(limit, len(ordered)))]
