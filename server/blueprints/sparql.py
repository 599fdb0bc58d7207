"""The ``/sparql`` endpoint: protocol, checks, negotiation, then evaluation in the pool.

The answer's status is only sent once the evaluator has returned the complete, bounded result, so a
client never gets a 200 followed by a cut-off body.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from core.guard import QueryRejected, QueryShape, analyse
from server.cache import make_cacheable
from server.description import html_page, serialise, service_description
from server.errors import ApiError, bad_request, not_acceptable
from server.evaluation import Job, Outcome
from server.negotiation import GRAPH_FORMATS, HTML, RESULT_FORMATS, choose, format_parameter
from server.pages.query_pages import editor_page, query_page
from server.pages.results import wants_page
from server.protocol import QueryRequest, read_query_request
from server.state import ServerState, get_state

blueprint = Blueprint("sparql", __name__)
TRUNCATED_HEADER = "X-Result-Truncated"


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    state = get_state()
    query_request = read_query_request(request)
    if query_request is None:
        return _service_description(state)
    try:
        shape = analyse(query_request.query, state.settings.limits)
    except QueryRejected as rejected:
        raise ApiError(rejected.status, rejected.message) from None
    if wants_page(query_request.parameters):  # a browser: a results table, not a file to download
        return query_page(state, query_request, shape)
    job = _job(state, query_request, shape)
    return _answer(state.backend.run(job))


def _job(state: ServerState, query_request: QueryRequest, shape: QueryShape) -> Job:
    parameter = format_parameter(query_request.parameters)
    accept = request.headers.get("Accept")
    results = choose(RESULT_FORMATS, accept, parameter)
    graph = choose(GRAPH_FORMATS, accept, parameter)
    if shape.form in ("select", "ask") and results is None:
        raise not_acceptable(_not_acceptable_message("query results", RESULT_FORMATS))
    if shape.form in ("construct", "describe") and graph is None:
        raise not_acceptable(_not_acceptable_message("an RDF graph", GRAPH_FORMATS))
    max_rows = state.settings.max_rows
    return Job(
        query=query_request.query,
        capped_query=shape.row_capped(query_request.query, max_rows + 1),
        default_graphs=query_request.default_graphs,
        named_graphs=query_request.named_graphs,
        results_format=results.output() if results else None,
        graph_format=graph.output() if graph else None,
        max_rows=max_rows,
        prefixes=tuple(state.prefixes.items()),
        base_iri=request.base_url,
        query_has_dataset=shape.has_dataset_clause,
    )


def _not_acceptable_message(what: str, formats: tuple) -> str:
    offered = ", ".join(f.media_type for f in formats)
    return f"none of the requested formats can represent {what}; available: {offered}"


def _answer(outcome: Outcome) -> Response:
    if outcome.kind == "syntax":
        raise bad_request(f"malformed query: {outcome.message}")
    if outcome.kind == "not_acceptable":
        raise not_acceptable(outcome.message)
    if outcome.kind == "error":
        raise bad_request(f"the query could not be evaluated: {outcome.message}")
    response = Response(outcome.body, status=200, content_type=outcome.content_type)
    response.headers[TRUNCATED_HEADER] = "true" if outcome.truncated else "false"
    response.vary.add("Accept")
    if outcome.etag:
        return make_cacheable(response, outcome.etag, get_state().settings.cache_max_age)
    return response


def _service_description(state: ServerState) -> Response:
    """GET without a query: the Service Description (RDF), or the query editor for browsers."""
    if wants_page(request.args.to_dict()):
        return editor_page(state)
    chosen = choose((*GRAPH_FORMATS, HTML), request.headers.get("Accept"), format_parameter(request.args))
    if chosen is None:
        raise not_acceptable(_not_acceptable_message("the service description", (*GRAPH_FORMATS, HTML)))
    root = request.url_root
    if chosen is HTML:
        body = html_page(root, state.info, state.settings.title).encode("utf-8")
    else:
        body = serialise(service_description(root, state.info), chosen.name)
    response = Response(body, content_type=chosen.content_type)
    response.vary.add("Accept")
    return response
