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

from core.decorators import DecoratorError, read_decorators
from core.errors import BuildError, Problem
from core.iris import DEFAULT_BASE_IRI
from graph.dumps import ox_quads


def _summary(text: str) -> str:
    """The rule's ``#+ summary:``, read as the saved queries' decorators are (one ``#+`` reader)."""
    try:
        summary = read_decorators(text).values.get("summary")
    except DecoratorError:
        summary = None
    return str(summary).strip() if summary else "quality rule"


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
            answer = store.query(text, use_default_graph_as_union=True)
            rows = list(answer) if isinstance(answer, ox.QuerySolutions) else []
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
