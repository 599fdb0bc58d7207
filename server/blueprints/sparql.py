"""The ``/sparql`` endpoint: protocol, checks, negotiation, then evaluation in the pool.

The answer's status is only sent once the evaluator has returned the complete, bounded result, so a
client never gets a 200 followed by a cut-off body.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from core.guard import QueryRejected, QueryShape, analyse
from server.answering import REPLAY_MARK, TRUNCATED_HEADER, build_job, failure, not_acceptable_message
from server.cache import make_cacheable
from server.description import html_page, serialise, service_description
from server.errors import ApiError, not_acceptable
from server.evaluation import Job, Outcome
from server.negotiation import GRAPH_FORMATS, HTML, choose, format_parameter
from server.pages.query_pages import editor_page, query_page
from server.pages.results import wants_page
from server.protocol import QueryRequest, read_query_request
from server.state import ServerState, get_state

blueprint = Blueprint("sparql", __name__)


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
    job = job_for(state, query_request, shape)
    return answer(state.backend.run(job))


def job_for(state: ServerState, query_request: QueryRequest, shape: QueryShape) -> Job:
    return build_job(
        query_request,
        shape,
        request.headers.get("Accept"),
        format_parameter(query_request.parameters),
        state.settings.max_rows,
        state.prefix_pairs,
        request.base_url,
    )


def answer(outcome: Outcome) -> Response:
    """The HTTP answer for ``outcome``: the serialised result, or its error (for /sparql and saved queries)."""
    error = failure(outcome)
    if error is not None:
        raise error
    response = Response(outcome.body, status=200, content_type=outcome.content_type)
    response.headers[TRUNCATED_HEADER] = "true" if outcome.truncated else "false"
    response.vary.add("Accept")
    if outcome.etag:
        request.environ[REPLAY_MARK] = True
        return make_cacheable(response, outcome.etag, get_state().settings.cache_max_age)
    return response


def _service_description(state: ServerState) -> Response:
    """GET without a query: the Service Description (RDF), or the query editor for browsers."""
    if wants_page(request.args.to_dict()):
        return editor_page(state)
    chosen = choose((*GRAPH_FORMATS, HTML), request.headers.get("Accept"), format_parameter(request.args))
    if chosen is None:
        raise not_acceptable(not_acceptable_message("the service description", (*GRAPH_FORMATS, HTML)))
    root = request.url_root
    if chosen is HTML:
        body = html_page(root, state.info, state.settings.title).encode("utf-8")
    else:
        body = serialise(service_description(root, state.info), chosen.name)
    response = Response(body, content_type=chosen.content_type)
    response.vary.add("Accept")
    return response
