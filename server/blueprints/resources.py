"""Dereferenceable IRIs: ``BASE + local`` is served at ``/local`` (entities, ontology terms, quotes, facts,
documents, named graphs).

Browsers get an HTML page; linked-data clients get Turtle, JSON-LD, N-Triples or RDF/XML by ``Accept``
(answers carry ``Vary: Accept``) or by a suffix (``/id/jazari-root.ttl``). The RDF is a CONSTRUCT of
everything the store says about the IRI, both ways, evaluated in the pool like any query; a named graph's
IRI gives the graph's contents, and the ontology's IRI the ontology graph.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, request

from server.blueprints.sparql import TRUNCATED_HEADER
from server.errors import ApiError, not_acceptable
from server.negotiation import GRAPH_FORMATS, HTML, Format, choose, format_parameter
from server.pages import views
from server.pages.ontology_docs import DocsHolder
from server.pages.render import page_index
from server.pages.resolve import SUFFIXES, Target, local_path, resolve
from server.pages.store import ask, construct, page_query, select
from server.state import ServerState, get_state

blueprint = Blueprint("resources", __name__)
ONTOLOGY_GRAPH = "graph/ontology"
DOCS = DocsHolder()  # per process: the tidied page of the build's documentation file


def _base(state: ServerState) -> str:
    return state.info.base_iri or state.settings.base_iri


def _graph_names(state: ServerState) -> set[str]:
    return {graph.iri for graph in state.info.graphs}


def _exists(state: ServerState, candidate: str) -> bool:
    index = page_index(state)
    if candidate in index.types or candidate in index.labels or candidate in _graph_names(state):
        return True
    return ask(state, page_query(state, "resource-exists", resource=candidate))


def _description_query(state: ServerState, target: str) -> str:
    base = _base(state)
    graph = target
    if target == base + "ontology/" and base + ONTOLOGY_GRAPH in _graph_names(state):
        graph = base + ONTOLOGY_GRAPH
    if graph in _graph_names(state):
        return page_query(state, "graph-description", graph=graph)
    return page_query(state, "resource-description", resource=target)


def _alternates(state: ServerState, target: str) -> str:
    path = local_path(_base(state), target) or ""
    return ", ".join(f'<{path}{suffix}>; rel="alternate"; type="{fmt.media_type}"' for suffix, fmt in SUFFIXES.items())


def _rdf(state: ServerState, target: str, chosen: Format) -> Response:
    outcome = construct(state, _description_query(state, target), chosen.output())
    response = Response(outcome.body, content_type=outcome.content_type)
    response.headers[TRUNCATED_HEADER] = "true" if outcome.truncated else "false"
    return response


def _ontology_docs(state: ServerState) -> Path | None:
    docs = Path(state.settings.build_dir) / "ontology" / "index.html"
    return docs if docs.is_file() else None


@blueprint.get("/<path:local>")
def resource(local: str) -> Response:
    state = get_state()
    target: Target | None = resolve(_base(state), local, lambda candidate: _exists(state, candidate))
    if target is None:
        return views.not_found(f"nothing is known about {_base(state)}{local}")
    if target.suffix_format is not None:
        response = _rdf(state, target.iri, target.suffix_format)
    else:
        chosen = choose((HTML, *GRAPH_FORMATS), request.headers.get("Accept"), format_parameter(request.args))
        if chosen is None:
            raise not_acceptable("available as text/html, " + ", ".join(f.media_type for f in GRAPH_FORMATS))
        if chosen is not HTML:
            response = _rdf(state, target.iri, chosen)
        elif target.iri == _base(state) + "ontology/" and (docs := _ontology_docs(state)) is not None:
            response = _docs_page(state, docs)
        else:
            response = views.resource_page(state, target.iri)
        response.vary.add("Accept")
        response.headers["Link"] = _alternates(state, target.iri)
    return response


@blueprint.get("/docs/ontology")
def ontology_docs() -> Response:
    """The ontology's documentation (pyLODE), also reachable by the ontology's own IRI."""
    state = get_state()
    docs = _ontology_docs(state)
    if docs is None:
        raise ApiError(404, "the ontology documentation was not built (run `kg build` without --no-docs)")
    return _docs_page(state, docs)


@blueprint.get("/docs/ontology.css")
def ontology_docs_css() -> Response:
    state = get_state()
    docs = _ontology_docs(state)
    if docs is None:
        raise ApiError(404, "the ontology documentation was not built (run `kg build` without --no-docs)")
    tidied = DOCS.get(docs, page_index(state), state.settings.title, _ontology_title(state))
    return Response(tidied.css, content_type="text/css; charset=utf-8")


def _ontology_title(state: ServerState) -> str:
    """The ontology's English ``dcterms:title`` (pyLODE's own heading joins every title it finds)."""
    rows = select(state, page_query(state, "ontology-title"))
    return rows[0]["title"].value if rows else "Ontology"


def _docs_page(state: ServerState, docs: Path) -> Response:
    tidied = DOCS.get(docs, page_index(state), state.settings.title, _ontology_title(state))
    return Response(tidied.html, content_type=HTML.content_type)
