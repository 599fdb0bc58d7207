"""Errors as pages for browsers, in the reader's language; every other client keeps the short plain text.

The handlers of :mod:`server.errors` stay the answer for tools: this only wraps them, and falls back to
them when the page itself cannot be rendered (a 503 because the evaluators are busy cannot run the
queries a page needs).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from server.backend import PoolUnavailable
from server.errors import ApiError
from server.negotiation import prefers_html

log = logging.getLogger(__name__)
KEPT_HEADERS = ("Allow", "Retry-After")
TITLES = {
    400: ("Bad request", "Requête incorrecte"),
    403: ("Not allowed", "Non autorisé"),
    404: ("Not found", "Introuvable"),
    405: ("Method not allowed", "Méthode non autorisée"),
    406: ("Format not available", "Format non disponible"),
    413: ("Too large", "Trop volumineux"),
    415: ("Unsupported content type", "Type de contenu non pris en charge"),
    503: ("Busy, try again", "Occupé, réessayez"),
}


def _page(status: int, message: str, headers: dict[str, str]) -> Response:
    from server.pages.render import render_page  # the rendering needs the app; imported when answering

    english, french = TITLES.get(status, ("Error", "Erreur"))
    response = render_page("error.html", status=status, message=message, title_en=english, title_fr=french)
    for name, value in headers.items():
        response.headers[name] = value
    return response


def init_error_pages(app: Flask) -> None:
    """Wrap the API's error handlers on ``app`` (registered before) with pages for browsers."""
    handlers = app.error_handler_spec.get(None, {}).get(None, {})
    for kind in (ApiError, PoolUnavailable, HTTPException):
        fallback = handlers.get(kind)
        if fallback is not None:
            app.register_error_handler(kind, _wrapped(fallback))


def _wrapped(fallback: Callable[[Any], Any]) -> Callable[[Exception], Response]:
    def handle(error: Exception) -> Response:
        if not prefers_html(request.headers.get("Accept")):
            return fallback(error)
        if isinstance(error, ApiError):
            status, message, headers = error.status, error.message, error.headers
        elif isinstance(error, PoolUnavailable):
            status, message, headers = error.status, error.message, {"Retry-After": str(error.retry_after)}
        elif isinstance(error, HTTPException):
            status, message = error.code or 500, str(error.description)
            headers = {k: v for k, v in error.get_response().headers.items() if k in KEPT_HEADERS}
        else:
            return fallback(error)
        try:
            return _page(status, message, headers)
        except Exception:  # the page needs the pool; when it cannot be built, the plain answer still goes out
            log.warning("error page for %s could not be rendered; answering in plain text", status, exc_info=True)
            return fallback(error)

    return handle
