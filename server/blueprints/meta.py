"""Dataset metadata: the VoID description and the health check (the site root is the home page, in
:mod:`server.blueprints.pages`)."""

from __future__ import annotations

import os

from flask import Blueprint, Response, jsonify, request

from server.description import serialise, void_description
from server.errors import not_acceptable
from server.negotiation import GRAPH_FORMATS, choose, format_parameter
from server.state import get_state

blueprint = Blueprint("meta", __name__)


@blueprint.get("/.well-known/void")
def void() -> Response:
    state = get_state()
    chosen = choose(GRAPH_FORMATS, request.headers.get("Accept"), format_parameter(request.args))
    if chosen is None:
        raise not_acceptable("VoID is available as " + ", ".join(f.media_type for f in GRAPH_FORMATS))
    settings = state.settings
    triples = void_description(request.url_root, state.info, settings.title, settings.license)
    response = Response(serialise(triples, chosen.name), content_type=chosen.content_type)
    response.vary.add("Accept")
    return response


@blueprint.get("/health")
def health() -> Response:
    """Liveness and the dataset version, for monitoring and for clients that cache by version."""
    state = get_state()
    alive = state.backend.alive
    status = "ok" if alive > 0 else "degraded"
    response = jsonify(
        status=status,
        version=state.info.version,
        triples=state.info.triples,
        graphs=len(state.info.graphs),
        workers=alive,
        http_worker={
            "pid": os.getpid(),
            "inline_store": state.inline.status if state.inline is not None else "off",
            **state.answered_on_loop,
        },
    )
    response.status_code = 200 if alive > 0 else 503
    response.headers["Cache-Control"] = "no-store"
    return response
