"""Security headers on every HTML answer: the pages only run this server's own scripts and styles.

The Content-Security-Policy allows scripts, styles, images, fonts and fetches from this origin alone (the
query editor is served from here too, see ``/vendor/yasgui/``), no plug-ins, no framing by other sites, and
forms that post only here; data blocks (``<script type="application/json">``) are not scripts and pass.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HTML_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def add_security_headers(response: Response) -> Response:
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        for name, value in HTML_HEADERS.items():
            response.headers.setdefault(name, value)
    return response


def init_headers(app: Flask) -> None:
    app.after_request(add_security_headers)
