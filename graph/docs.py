"""HTML documentation of the ontology, generated with pyLODE at build time.

pyLODE takes seconds (most of a build), and its page depends only on the ontology graph and on pyLODE's
version, so a page is cached under the hash of both and reused until the ontology changes. The cache is
a plain directory beside the build (``graph/.build.docs-cache/``), written file by file with an atomic
rename, so an interrupted build never leaves a half page to be reused.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from rdflib import Graph

KEPT = 4  # cached pages kept: a few, so switching between base IRIs or branches does not regenerate


def ontology_hash(ontology: Graph) -> str:
    """A digest of the ontology's triples (order-free) and of the pyLODE version that renders them."""
    lines = sorted(ontology.serialize(format="nt").splitlines())
    digest = hashlib.sha256(_pylode_version().encode())
    for line in lines:
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def write_ontology_docs(ontology: Graph, destination: Path, cache_dir: Path | None = None) -> Path:
    """Write ``index.html`` for the ontology, from the cache when this ontology was rendered before."""
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / "index.html"
    cached = cache_dir / f"{ontology_hash(ontology)}.html" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        shutil.copyfile(cached, target)
        os.utime(cached)  # most recently used, for pruning
        return target
    target.write_text(_render(ontology), encoding="utf-8")
    if cached is not None:
        _store(target, cached)
    return target


def _render(ontology: Graph) -> str:
    """pyLODE's page; pyLODE prints progress, which is silenced."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode import OntPub  # late: slow to import, and it configures the root logger at import

    root.handlers[:], root.level = handlers, level  # undo pyLODE's logging.basicConfig(level=DEBUG)
    with contextlib.redirect_stdout(io.StringIO()):
        return str(OntPub(ontology=ontology, sort_subjects=True).make_html())


def _store(page: Path, cached: Path) -> None:
    cached.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=cached.parent)
    os.close(handle)
    shutil.copyfile(page, temporary)
    os.replace(temporary, cached)
    pages = sorted(cached.parent.glob("*.html"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in pages[KEPT:]:
        old.unlink(missing_ok=True)


def _pylode_version() -> str:
    try:
        return "pylode " + metadata.version("pylode")
    except metadata.PackageNotFoundError:
        return "pylode"
