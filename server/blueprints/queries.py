"""Saved queries over HTTP: ``/queries`` (the catalogue), ``/queries/<name>`` (run one), ``/openapi.json``.

Running a saved query goes through the same checks, negotiation, row cap, deadline and error answers as
``/sparql``: the bound text is analysed by :mod:`core.guard`, turned into a job by the SPARQL view's own
job builder and evaluated in the pool. What is added here is parameter validation and pagination.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from core.call import PreparedCall, prepare_call
from core.catalogue import Catalogue, SavedQuery, load_catalogue
from core.errors import BuildError
from core.guard import QueryRejected, analyse
from core.parameters import ParameterError
from server.answering import TRUNCATED_HEADER
from server.blueprints.sparql import answer as answer_outcome
from server.blueprints.sparql import job_for as build_job
from server.dataset import DatasetError
from server.errors import ApiError, bad_request, not_acceptable, unsupported_media_type
from server.negotiation import FORMAT_PARAMETERS, HTML, Format, choose, format_parameter
from server.pages.results import wants_page
from server.pages.saved_pages import catalogue_page, saved_query_page
from server.protocol import FORM, QueryRequest
from server.saved.describe import catalogue_description
from server.saved.openapi import openapi_document
from server.state import ServerState, get_state

blueprint = Blueprint("queries", __name__)
EXTENSION_KEY = "morocco_kg_saved_queries"
CATALOGUE_JSON = Format("JSON", "application/json", (), ("json",))


def init_app(app: Flask, queries_dir: Path, base_iri: str) -> None:
    """Load the catalogue of ``queries_dir``, under the served data's base IRI, and register the views."""
    try:
        app.extensions[EXTENSION_KEY] = load_catalogue(queries_dir, base_iri)
    except BuildError as error:
        raise DatasetError(f"the saved queries in {queries_dir} cannot be served:\n{error}") from None
    app.register_blueprint(blueprint)


def _catalogue() -> Catalogue:
    return current_app.extensions[EXTENSION_KEY]


@blueprint.get("/queries")
def index() -> Response:
    chosen = choose((CATALOGUE_JSON, HTML), request.headers.get("Accept"), format_parameter(request.args))
    if chosen is None:
        raise not_acceptable("the catalogue is available as application/json or text/html")
    if chosen is HTML:
        response = catalogue_page(get_state(), _catalogue())
    else:
        response = jsonify(catalogue_description(_catalogue(), request.url_root))
        response.headers["Content-Type"] = CATALOGUE_JSON.content_type
    response.vary.add("Accept")
    return response


@blueprint.get("/openapi.json")
def openapi() -> Response:
    state = get_state()
    document = openapi_document(_catalogue(), request.url_root, state.settings.title, state.info.version[:16])
    response = jsonify(document)
    response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


@blueprint.route("/queries/<name>", methods=["GET", "POST"])
def run(name: str) -> Response:
    saved = _catalogue().get(name)
    if saved is None:
        raise ApiError(404, f"no saved query named {name!r}; see /queries for the catalogue")
    state = get_state()
    if wants_page(request.values.to_dict()):  # a browser, from a form or a link: the form and a table
        if request.method == "POST" and request.mimetype.lower() != FORM:
            raise unsupported_media_type(f"send the parameters as {FORM}, or use GET")
        return saved_query_page(state, saved)
    try:
        call = prepare_call(saved, _arguments(), state.settings.max_rows)
    except ParameterError as error:
        raise bad_request(str(error)) from None
    response = _evaluate(state, call)
    if call.page is not None:
        _add_page_links(response, saved, call)
    return response


def _arguments() -> dict[str, list[str]]:
    """Query-string and form values together; a POST must be a form (long values go there)."""
    if request.method == "POST" and request.mimetype.lower() != FORM:
        raise unsupported_media_type(f"send the parameters as {FORM}, or use GET")
    arguments: dict[str, list[str]] = {}
    sources = (request.args, request.form) if request.method == "POST" else (request.args,)
    for source in sources:
        for key, values in source.lists():
            arguments.setdefault(key, []).extend(values)
    return arguments


def _evaluate(state: ServerState, call: PreparedCall) -> Response:
    try:
        shape = analyse(call.query, state.settings.limits)
    except QueryRejected as rejected:
        raise ApiError(rejected.status, rejected.message) from None
    formats = {key: request.values.get(key, "") for key in FORMAT_PARAMETERS}
    job = build_job(state, QueryRequest(call.query, None, None, formats), shape)
    if call.probe_query is not None and call.page_size is not None:
        job = replace(job, capped_query=call.probe_query, max_rows=call.page_size)
    outcome = state.backend.run(job)
    response = answer_outcome(outcome)
    if call.page is not None:
        response.headers[TRUNCATED_HEADER] = "false"  # the page size bounds it; "more" is in Link: rel="next"
        response.headers["X-Has-Next-Page"] = "true" if outcome.truncated else "false"
    return response


def _add_page_links(response: Response, saved: SavedQuery, call: PreparedCall) -> None:
    """RFC 8288 ``Link`` header: first, prev (after page 1) and next (when the probe found one more row)."""
    page = call.page or 1
    kept = {key: request.values[key] for key in FORMAT_PARAMETERS if request.values.get(key)}
    base = f"{request.url_root}queries/{saved.name}"

    def link(number: int, relation: str) -> str:
        return f'<{base}?{urlencode({**call.values, **kept, "page": number})}>; rel="{relation}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(page - 1, "prev"))
    if response.headers.get("X-Has-Next-Page") == "true":
        links.append(link(page + 1, "next"))
    response.headers["Link"] = ", ".join(links)
