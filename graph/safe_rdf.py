"""Parse RDF input files without letting them reach outside or expand without bound.

rdflib fetches remote JSON-LD ``@context`` URLs at parse time, and expands XML internal
entities in RDF/XML (a 662-byte "billion laughs" file costs a minute of CPU). Build inputs
are local files that need neither: both are refused before any parser sees them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Graph

from core.errors import BuildError, Problem

RDF_SUFFIXES = {".ttl": "turtle", ".nt": "nt", ".rdf": "xml", ".owl": "xml", ".jsonld": "json-ld"}
_XML_DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _remote_contexts(node: object) -> list[str]:
    """Every ``@context`` (or ``@import``) value that names a document rather than inlining it."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("@context", "@import"):
                values = value if isinstance(value, list) else [value]
                found += [v for v in values if isinstance(v, str)]
            found += _remote_contexts(value)
    elif isinstance(node, list):
        for item in node:
            found += _remote_contexts(item)
    return found


def check_rdf_bytes(path: Path, data: bytes) -> None:
    """Raise BuildError when the bytes could make the parser fetch or expand."""
    suffix = path.suffix.lower()
    if RDF_SUFFIXES.get(suffix) == "xml" and _XML_DECLARATIONS.search(data):
        raise BuildError(
            [Problem(path, None, "RDF/XML with DOCTYPE or ENTITY declarations is refused (entity expansion)")]
        )
    if suffix == ".jsonld":
        try:
            document = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            line = getattr(exc, "lineno", None)
            raise BuildError([Problem(path, line, f"invalid JSON: {exc}")]) from exc
        remote = _remote_contexts(document)
        if remote:
            raise BuildError(
                [
                    Problem(
                        path,
                        None,
                        f"JSON-LD with a remote @context is refused (no network "
                        f"access at build time): {', '.join(remote[:3])}",
                    )
                ]
            )


def parse_rdf_file(path: Path) -> Graph:
    """Parse one local RDF file after the safety checks; syntax errors become located problems."""
    rdf_format = RDF_SUFFIXES.get(path.suffix.lower())
    if rdf_format is None:
        raise BuildError([Problem(path, None, f"unknown RDF file type {path.suffix!r}")])
    data = path.read_bytes()
    check_rdf_bytes(path, data)
    graph = Graph()
    try:
        graph.parse(data=data, format=rdf_format, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many parser exception types
        line = next((v for a in ("lines", "line", "lineno") if isinstance(v := getattr(exc, a, None), int)), None)
        raise BuildError([Problem(path, line, f"{rdf_format} syntax error: {exc}")]) from exc
    return graph
