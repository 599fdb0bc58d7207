"""Quality rules written as SPARQL: each ``queries/checks/*-violation.rq`` must return no rows.

A rule is data a reviewer can read; a row it returns is an offender, and the build fails
naming the rule file, its summary and the offending resources. As on the endpoint, the
default graph is the union of the named graphs, so a rule names a graph only when it
means one.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from graph.dumps import ox_quads
from graph.errors import BuildError, Problem
from graph.settings import DEFAULT_BASE_IRI


def _summary(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("#+ summary:"):
            return line.removeprefix("#+ summary:").strip()
    return "quality rule"


def run_checks(dataset: Dataset, checks_dir: Path, base_iri: str) -> None:
    files = sorted(checks_dir.glob("*-violation.rq")) if checks_dir.is_dir() else []
    if not files:
        return
    store = ox.Store()
    store.extend(ox_quads((s, p, o, g) for s, p, o, g in dataset.quads() if g is not None))
    problems = []
    for path in files:
        text = path.read_text(encoding="utf-8").replace(DEFAULT_BASE_IRI, base_iri)
        try:
            rows = list(store.query(text, use_default_graph_as_union=True))
        except SyntaxError as exc:
            problems.append(Problem(path, None, f"check does not parse: {exc}"))
            continue
        if rows:
            offenders = [
                "/".join(str(term.value).removeprefix(base_iri) for term in row if term is not None) for row in rows
            ]
            problems.append(
                Problem(path, None, f"{_summary(text)} {len(offenders)} offender(s): " + ", ".join(offenders))
            )
    if problems:
        raise BuildError(problems)
