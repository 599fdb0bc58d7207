"""A query request's job and its outcome's answer, shared by every path a query can take.

``/sparql`` and the saved queries build their :class:`~server.evaluation.Job` here, and turn the
evaluator's :class:`~server.evaluation.Outcome` into a status, headers and a message here, whether the
request runs through the Flask views or through the event loop's express lane (:mod:`server.express`):
the two must answer byte for byte alike, so neither writes its own.
"""

from __future__ import annotations

import functools

from core.guard import QueryShape
from server.errors import ApiError, bad_request, not_acceptable
from server.evaluation import Job, Outcome, OutputFormat
from server.negotiation import GRAPH_FORMATS, RESULT_FORMATS, Format, choose
from server.protocol import QueryRequest

TRUNCATED_HEADER = "X-Result-Truncated"
# set in the WSGI environ by a view whose successful answer depends only on the request's URL, Host,
# Accept and Accept-Language, so the HTTP worker may send it again as it is (see server.express)
REPLAY_MARK = "kg.replay"


def build_job(
    query_request: QueryRequest,
    shape: QueryShape,
    accept: str | None,
    format_parameter: str | None,
    max_rows: int,
    prefixes: tuple[tuple[str, str], ...],
    base_iri: str,
) -> Job:
    """The job for a checked query; :class:`ApiError` 406 when no format can carry its answer."""
    results, graph = negotiated_outputs(accept, format_parameter)
    if shape.form in ("select", "ask") and results is None:
        raise not_acceptable(not_acceptable_message("query results", RESULT_FORMATS))
    if shape.form in ("construct", "describe") and graph is None:
        raise not_acceptable(not_acceptable_message("an RDF graph", GRAPH_FORMATS))
    return Job(
        query=query_request.query,
        capped_query=shape.row_capped(query_request.query, max_rows + 1),
        default_graphs=query_request.default_graphs,
        named_graphs=query_request.named_graphs,
        results_format=results,
        graph_format=graph,
        max_rows=max_rows,
        prefixes=prefixes,  # the server's one tuple, shared by every job and cached key
        base_iri=base_iri,
        query_has_dataset=shape.has_dataset_clause,
    )


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def negotiated_outputs(
    accept: str | None, format_parameter: str | None
) -> tuple[OutputFormat | None, OutputFormat | None]:
    """The formats a query's results and a query's graph would be answered in (``None``: not acceptable)."""
    results = choose(RESULT_FORMATS, accept, format_parameter)
    graph = choose(GRAPH_FORMATS, accept, format_parameter)
    return (results.output() if results else None, graph.output() if graph else None)


def not_acceptable_message(what: str, formats: tuple[Format, ...]) -> str:
    offered = ", ".join(f.media_type for f in formats)
    return f"none of the requested formats can represent {what}; available: {offered}"


def failure(outcome: Outcome) -> ApiError | None:
    """The error answer for an outcome that is not an answer; ``None`` for a successful one."""
    if outcome.kind == "syntax":
        return bad_request(f"malformed query: {outcome.message}")
    if outcome.kind == "not_acceptable":
        return not_acceptable(outcome.message)
    if outcome.kind == "error":
        return bad_request(f"the query could not be evaluated: {outcome.message}")
    return None
