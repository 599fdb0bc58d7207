"""Query results for people: the table a browser gets when it runs a query at ``/sparql`` or a saved query.

A browser's ``Accept`` (``text/html`` first) used to be answered with SPARQL XML, which browsers download as
a file. Here the same query runs in the same pool, under the same deadline and row cap, as SPARQL JSON (or
N-Triples for a graph), and is shown as a table: labels beside IRIs, links into the entity pages, and links
to download the answer in every format. SPARQL clients never list HTML first and keep their answers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import request

from core.guard import QueryShape
from server.backend import PoolUnavailable
from server.evaluation import Job, Outcome, OutputFormat
from server.negotiation import FORMAT_PARAMETERS, prefers_html
from server.pages.links import Linker, Shown
from server.pages.store import JSON_RESULTS
from server.pages.terms import Term, from_json
from server.state import ServerState

N_TRIPLES = OutputFormat("N_TRIPLES", "application/n-triples; charset=utf-8")
SHOWN_ROWS = 500  # a page longer than this is for a download, not for reading
RESULT_DOWNLOADS = (("CSV", "csv"), ("TSV", "tsv"), ("JSON", "json"), ("XML", "xml"))
GRAPH_DOWNLOADS = (("Turtle", "turtle"), ("JSON-LD", "json-ld"), ("N-Triples", "nt"), ("RDF/XML", "rdf+xml"))


@dataclass(frozen=True, slots=True)
class Cell:
    shown: Shown | None
    iri: str | None = None  # shown beside the label when the label is not the IRI itself


@dataclass
class Table:
    """What the results template shows: columns, rows of cells, a boolean for ASK, or an error."""

    columns: list[str] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    boolean: bool | None = None
    total: int = 0
    truncated: bool = False
    error: str | None = None
    status: int = 200  # of the page: 400 for a bad query, 503 (or the store's 502/504) when busy
    downloads: list[tuple[str, str]] = field(default_factory=list)


def wants_page(parameters: dict[str, str]) -> bool:
    """A browser navigating (HTML first in ``Accept``) that named no format: it gets a page, not a file."""
    if any(parameters.get(name) for name in FORMAT_PARAMETERS):
        return False
    return prefers_html(request.headers.get("Accept"))


def run_table(
    state: ServerState,
    linker: Linker,
    job_fields: Mapping[str, object],
    shape: QueryShape,
    download_base: str,
) -> Table:
    """Evaluate a query as a job for the page, and turn its answer into a :class:`Table`.

    ``job_fields`` are :class:`Job` fields (query, capped query, dataset...) without the formats, which are
    the ones this module reads; ``download_base`` is the URL the download links add ``format=`` to.
    """
    graph = shape.form in ("construct", "describe")
    job = Job(results_format=JSON_RESULTS, graph_format=N_TRIPLES, **job_fields)  # type: ignore[arg-type]
    choices = GRAPH_DOWNLOADS if graph else RESULT_DOWNLOADS
    joiner = "&" if "?" in download_base else "?"
    downloads = [(name, f"{download_base}{joiner}{urlencode({'format': key})}") for name, key in choices]
    try:
        outcome = state.backend.run(job)
    except PoolUnavailable as busy:
        return Table(error=busy.message, status=busy.status, downloads=downloads)
    if outcome.kind != "ok":
        return Table(error=_error(outcome), status=400, downloads=downloads)
    table = _graph_table(outcome, linker) if graph else _results_table(outcome, linker)
    table.downloads = downloads
    return table


def _error(outcome: Outcome) -> str:
    if outcome.kind == "syntax":
        return f"malformed query: {outcome.message}"
    return f"the query could not be evaluated: {outcome.message}"


def _cell(term: Term | None, linker: Linker) -> Cell:
    if term is None:
        return Cell(None)
    if term.kind == "bnode":
        return Cell(Shown("_:" + term.value, None, "", "literal"))
    shown = linker.term(term)
    return Cell(shown, term.value if term.is_iri and shown.text != term.value else None)


def _results_table(outcome: Outcome, linker: Linker) -> Table:
    document = json.loads(outcome.body)
    if "boolean" in document:
        return Table(boolean=bool(document["boolean"]))
    columns = list(document["head"].get("vars", []))
    bindings = document["results"]["bindings"]
    rows = [[_cell(from_json(b[c]) if c in b else None, linker) for c in columns] for b in bindings[:SHOWN_ROWS]]
    return Table(columns=columns, rows=rows, total=len(bindings), truncated=outcome.truncated)


def _ox_term(node: object) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    literal: ox.Literal = node  # type: ignore[assignment]
    return Term("literal", literal.value, literal.language or "", literal.datatype.value)


def _graph_table(outcome: Outcome, linker: Linker) -> Table:
    triples = list(ox.parse(outcome.body, format=ox.RdfFormat.N_TRIPLES))
    rows = [
        [_cell(_ox_term(t.subject), linker), _cell(_ox_term(t.predicate), linker), _cell(_ox_term(t.object), linker)]
        for t in triples[:SHOWN_ROWS]
    ]
    return Table(columns=["subject", "predicate", "object"], rows=rows, total=len(triples), truncated=outcome.truncated)
