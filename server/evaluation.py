"""What an evaluator process does with one query: evaluate it with pyoxigraph and serialise the answer.

Runs inside the pool's worker processes, never in the web process, so that a query that outlives its
deadline (or crashes the engine) can be dealt with by killing the process. Results are serialised by
pyoxigraph itself; the row cap is applied by asking for ``max_rows + 1`` solutions at most (see
:meth:`core.guard.QueryShape.row_capped`). An answer whose separators show it cannot hold that many rows
is sent as serialised; a longer one is counted in TSV (one row per line) and, when the extra row shows up,
cut there and re-serialised natively.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutputFormat:
    """A negotiated serialisation: pyoxigraph's format name and the Content-Type to answer with."""

    name: str
    content_type: str


@dataclass(frozen=True, slots=True)
class Job:
    """One query to evaluate, with its dataset and the formats the client accepts for each result kind."""

    query: str
    capped_query: str | None
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    results_format: OutputFormat | None
    graph_format: OutputFormat | None
    max_rows: int
    prefixes: tuple[tuple[str, str], ...] = ()
    base_iri: str | None = None
    query_has_dataset: bool = False
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # a job is looked up several times per request (answer cache, its segments, the remembered keys)
        object.__setattr__(self, "_hash", hash(self.fields()))

    def __hash__(self) -> int:
        return self._hash

    def fields(self) -> tuple[object, ...]:
        """Everything the answer depends on, in one tuple (what equal jobs share)."""
        return (
            self.query,
            self.capped_query,
            self.default_graphs,
            self.named_graphs,
            self.results_format,
            self.graph_format,
            self.max_rows,
            self.prefixes,
            self.base_iri,
            self.query_has_dataset,
        )


@dataclass(frozen=True, slots=True)
class Outcome:
    """The evaluator's answer: a serialised body, or why there is none."""

    kind: Literal["ok", "syntax", "not_acceptable", "error"]
    body: bytes = b""
    content_type: str = ""
    truncated: bool = False
    message: str = ""
    etag: str = ""  # set by the response cache (server.cache): the answer's validator


def evaluate(store: ox.Store, job: Job) -> Outcome:
    """Evaluate ``job`` on ``store``; never raises for bad input."""
    try:
        result, capped = _run(store, job)
    except SyntaxError as error:
        return Outcome(kind="syntax", message=str(error))
    except (OSError, RuntimeError, ValueError, TypeError) as error:
        return Outcome(kind="error", message=str(error))
    return serialise(result, job, capped)


def serialise(result: object, job: Job, capped: bool) -> Outcome:
    """Serialise a boolean, solutions or triples in the job's negotiated format, applying its row cap.

    Shared with the remote backend (:mod:`server.remote.backend`), which parses the store's answer into the
    same pyoxigraph objects, so that both backends produce byte-identical answers and truncation flags.
    ``capped`` says the solutions came from ``job.capped_query`` (one row more than the cap at most).
    """
    try:  # evaluation is lazy: errors can surface while serialising
        if isinstance(result, ox.QueryBoolean):
            return _serialise_results(result, job.results_format, truncated=False)
        if isinstance(result, ox.QuerySolutions):
            return _serialise_solutions(result, job, capped)
        return _serialise_triples(result, job)  # type: ignore[arg-type]
    except (OSError, RuntimeError, ValueError, TypeError, SyntaxError) as error:
        return Outcome(kind="error", message=str(error))


def _dataset_arguments(job: Job) -> dict[str, object]:
    """The protocol's dataset parameters, or the union of every graph the store holds.

    The protocol's parameters override the query's FROM clauses, which override the union (pyoxigraph's
    union flag would otherwise win over FROM). Relative IRIs resolve against the endpoint's own URL.
    """
    if job.default_graphs is None and job.named_graphs is None:
        return {"use_default_graph_as_union": not job.query_has_dataset, "base_iri": job.base_iri}
    return {
        "default_graph": [ox.NamedNode(iri) for iri in job.default_graphs or ()],
        "named_graphs": [ox.NamedNode(iri) for iri in job.named_graphs or ()],
        "base_iri": job.base_iri,
    }


def _run(store: ox.Store, job: Job) -> tuple[object, bool]:
    arguments = _dataset_arguments(job)
    if job.capped_query is not None:
        try:
            return store.query(job.capped_query, **arguments), True  # type: ignore[arg-type]
        except SyntaxError:
            pass  # the original text gives the client an error message about what it sent
    result = store.query(job.query, **arguments)  # type: ignore[arg-type]
    if job.capped_query is not None:
        log.warning("row cap not applied: the wrapped query did not parse")
    return result, False


def _serialise_results(
    result: ox.QuerySolutions | ox.QueryBoolean, output: OutputFormat | None, *, truncated: bool
) -> Outcome:
    if output is None:
        return Outcome(kind="not_acceptable", message="no acceptable format for query results")
    body = result.serialize(format=getattr(ox.QueryResultsFormat, output.name))
    return Outcome(kind="ok", body=body or b"", content_type=output.content_type, truncated=truncated)


def rows_at_most(body: bytes, format_name: str) -> int:
    """An upper bound on the solutions in an answer as pyoxigraph serialises it, read off its separators.

    Most answers under the cap are then sent as first serialised: reading a JSON answer back only to count
    its rows took about a third of an evaluator's time on medium answers (a few hundred rows at 1M triples).

    * JSON: pyoxigraph writes compact JSON, so solutions are joined by exactly ``},{``; the same three
      bytes inside a literal only raise the bound (a key always follows a binding's ``},``).
    * XML: every solution opens with ``<result>``, and ``<`` in text is escaped: the count is exact.
    * TSV: one line per solution after the header (newlines in literals are escaped): exact.
    * CSV: quoted literals may hold line breaks, so the answer's length is the only bound.
    """
    if format_name == "JSON":
        return body.count(b"},{") + 1
    if format_name == "XML":
        return body.count(b"<result>")
    if format_name == "TSV":
        return max(body.count(b"\n") - 1, 0)
    return len(body)


def _serialise_solutions(result: ox.QuerySolutions, job: Job, capped: bool) -> Outcome:
    output = job.results_format
    if output is None:
        return Outcome(kind="not_acceptable", message="no acceptable format for query results")
    if not capped:
        return _serialise_results(result, output, truncated=False)
    if output.name == "CSV":  # CSV cannot be read back: count the rows in TSV, then write CSV
        return _cut_to_cap(result.serialize(format=ox.QueryResultsFormat.TSV) or b"", job, output)
    body = result.serialize(format=getattr(ox.QueryResultsFormat, output.name)) or b""
    if rows_at_most(body, output.name) <= job.max_rows:
        return Outcome(kind="ok", body=body, content_type=output.content_type)
    if output.name == "TSV":
        return _cut_to_cap(body, job, output)
    table = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, output.name))
    return _cut_to_cap(table.serialize(format=ox.QueryResultsFormat.TSV) or b"", job, output, original=body)


def _cut_to_cap(table: bytes, job: Job, output: OutputFormat, original: bytes | None = None) -> Outcome:
    """The answer from its TSV form (one line per row, after the header), cut to the row cap if it is over.

    ``original`` is the answer already serialised in ``output``, sent as it is when nothing is cut.
    """
    truncated = table.count(b"\n") > job.max_rows + 1  # the header line, then one line per row
    if not truncated and original is not None:
        return Outcome(kind="ok", body=original, content_type=output.content_type)
    if truncated:
        table = b"\n".join(table.split(b"\n", job.max_rows + 1)[: job.max_rows + 1]) + b"\n"
    if output.name == "TSV":
        return Outcome(kind="ok", body=table, content_type=output.content_type, truncated=truncated)
    bounded = ox.parse_query_results(table, format=ox.QueryResultsFormat.TSV)
    return _serialise_results(bounded, output, truncated=truncated)


def _serialise_triples(result: ox.QueryTriples, job: Job) -> Outcome:
    if job.graph_format is None:
        return Outcome(kind="not_acceptable", message="no acceptable format for an RDF graph")
    triples = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(triples) > job.max_rows
    rdf_format = getattr(ox.RdfFormat, job.graph_format.name)
    body = ox.serialize(triples[: job.max_rows], format=rdf_format, prefixes=dict(job.prefixes) or None)
    return Outcome(kind="ok", body=body or b"", content_type=job.graph_format.content_type, truncated=truncated)
