"""CORS for a public, read-only endpoint: any origin, never credentials.

Browser query editors (YASGUI and the like) run on other origins; the endpoint holds nothing
private, so every origin may read it, but it never asks browsers to send cookies or auth
(``Access-Control-Allow-Credentials`` is never set, and the origin is ``*``, not echoed).
"""

from __future__ import annotations

from flask import Flask, Response, request

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Accept, Content-Type, Cache-Control, X-Requested-With"
EXPOSED_HEADERS = "X-Result-Truncated, Retry-After, ETag, Content-Length"


def add_cors_headers(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def init_cors(app: Flask) -> None:
    app.after_request(add_cors_headers)
