"""Every error answer of the server, in one place: plain text with a charset, never a stack trace.

Views raise :class:`ApiError` (or let Werkzeug raise its HTTP exceptions, e.g. 405 and 413); the handlers
registered here turn both into short ``text/plain`` answers that keep the headers HTTP requires
(``Allow`` on 405, ``Retry-After`` on 503). Anything unexpected is logged and answered with a bare 500.
"""

from __future__ import annotations

import logging

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from server.backend import PoolUnavailable

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than success, raised from anywhere below a view."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def read_only() -> ApiError:
    return ApiError(403, "SPARQL Update is not accepted: this endpoint is read-only")


def not_acceptable(message: str) -> ApiError:
    return ApiError(406, message)


def unsupported_media_type(message: str) -> ApiError:
    return ApiError(415, message)


def unavailable(message: str, retry_after: int, status: int = 503) -> ApiError:
    """503 (or the 502/504 of a remote store) with the ``Retry-After`` a client should honour."""
    return ApiError(status, message, {"Retry-After": str(retry_after)})


def text_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text answer; the message ends with a newline for terminals."""
    response = Response(message.rstrip("\n") + "\n", status=status, content_type="text/plain; charset=utf-8")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return text_response(error.status, error.message, error.headers)

    @app.errorhandler(PoolUnavailable)
    def _unavailable(error: PoolUnavailable) -> Response:
        return text_response(error.status, error.message, {"Retry-After": str(error.retry_after)})

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        kept = {k: v for k, v in error.get_response().headers.items() if k in ("Allow", "Retry-After")}
        return text_response(error.code or 500, f"{error.name}: {error.description}", kept)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unexpected error while answering a request")
        return text_response(500, "Internal Server Error: the error was logged")
