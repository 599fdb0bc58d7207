"""HTML documentation of the ontology, generated with pyLODE at build time.

pyLODE takes seconds (a third of a build), and its page depends only on the ontology graph and on pyLODE's
version, so a page is cached (:mod:`graph.cache`) under the hash of both and reused until the ontology
changes.
"""

from __future__ import annotations

import contextlib
import io
import logging
from importlib import metadata
from pathlib import Path

from rdflib import Graph

from graph import cache


def ontology_hash(ontology: Graph) -> str:
    """A digest of the ontology's triples (order-free) and of the pyLODE version that renders them."""
    return cache.digest([_pylode_version(), *sorted(ontology.serialize(format="nt").splitlines())])


def write_ontology_docs(ontology: Graph, destination: Path, cache_dir: Path | None = None) -> Path:
    """Write ``index.html`` for the ontology, from the cache when this ontology was rendered before."""
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / "index.html"
    key = ontology_hash(ontology) if cache_dir is not None else ""
    page = cache.read(cache_dir, key, ".html")
    if page is None:
        page = _render(ontology).encode("utf-8")
        cache.write(cache_dir, key, ".html", page)
    target.write_bytes(page)
    return target


def _render(ontology: Graph) -> str:
    """pyLODE's page; pyLODE prints progress, which is silenced."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode import OntPub  # late: slow to import, and it configures the root logger at import

    root.handlers[:], root.level = handlers, level  # undo pyLODE's logging.basicConfig(level=DEBUG)
    with contextlib.redirect_stdout(io.StringIO()):
        return str(OntPub(ontology=ontology, sort_subjects=True).make_html())


def _pylode_version() -> str:
    try:
        return "pylode " + metadata.version("pylode")
    except metadata.PackageNotFoundError:
        return "pylode"
