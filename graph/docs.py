"""HTML documentation of the ontology, generated with pyLODE at build time."""

from __future__ import annotations

import contextlib
import io
import logging
from pathlib import Path

from rdflib import Graph


def write_ontology_docs(ontology: Graph, destination: Path) -> Path:
    """Write ``index.html`` for the ontology; pyLODE prints progress, which is silenced."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from pylode import OntPub  # late: slow to import, and it configures the root logger at import

    root.handlers[:], root.level = handlers, level  # undo pyLODE's logging.basicConfig(level=DEBUG)

    destination.mkdir(parents=True, exist_ok=True)
    target = destination / "index.html"
    with contextlib.redirect_stdout(io.StringIO()):
        html = OntPub(ontology=ontology, sort_subjects=True).make_html()
    target.write_text(str(html), encoding="utf-8")
    return target
