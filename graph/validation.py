"""SHACL validation of the built graph against ``ontology/shapes.ttl``.

The shapes hold the editorial contract (labels in both languages, a quote for every
fact, a value and a unit for every figure); a violation fails the build and the report
names each offending node.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import SH

from core.errors import BuildError, Problem
from graph.safe_rdf import parse_rdf_file


def load_shapes(path: Path) -> Graph:
    return parse_rdf_file(path)


def validate(data: Graph, shapes: Graph, shapes_path: Path) -> None:
    """Raise BuildError with one problem per SHACL result when the data does not conform.

    ``data`` already holds the ontology and the inferred types, so no ``ont_graph`` is
    passed: pySHACL's ontology mixing costs minutes on this graph for no gain. ``data`` is validated in
    place (pySHACL would otherwise copy it first, a fifth of the validation): callers pass a graph made for
    the purpose, which only SHACL-AF rules could change, and the shapes have none.
    """
    conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        inplace=True,
        allow_warnings=True,
        abort_on_first=False,
    )
    if conforms:
        return
    problems = []
    for result in sorted(report.subjects(SH.resultSeverity, SH.Violation)):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        where = f" (property {path})" if path is not None else ""
        problems.append(Problem(shapes_path, None, f"SHACL: {focus}{where}: {message}"))
    raise BuildError(problems or [Problem(shapes_path, None, "SHACL validation failed")])
