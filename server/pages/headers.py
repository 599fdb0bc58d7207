"""Security headers on every HTML answer: the pages only run this server's own scripts and styles.

The Content-Security-Policy allows scripts, styles, images, fonts and fetches from this origin alone (the
query editor is served from here too, see ``/vendor/yasgui/``), no plug-ins, no framing by other sites, and
forms that post only here; data blocks (``<script type="application/json">``) are not scripts and pass.
The one exception is named by hash: the editor's results table adds two fixed ``<style>`` elements (its
column resizer), whose hashes are taken from the installed editor itself at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from flask import Flask, Response

# The column resizer's style sheet (one template literal) and the cursor it sets while a column is dragged.
_RESIZER_CSS = re.compile(r"`([^`]*\.grip-container\{[^`]*)`")
_DRAG_CSS = "*{cursor:col-resize!important}"


def editor_style_hashes(yasgui_js: Path) -> tuple[str, ...]:
    """CSP sources for the ``<style>`` elements the installed editor inserts (none when it is not installed)."""
    if not yasgui_js.is_file():
        return ()
    found = _RESIZER_CSS.search(yasgui_js.read_text(encoding="utf-8", errors="replace"))
    styles = [found.group(1)] if found else []
    styles.append(_DRAG_CSS)
    return tuple(f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'" for css in styles)


def content_security_policy(style_hashes: tuple[str, ...] = ()) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            " ".join(("style-src 'self'", *style_hashes)),
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def html_headers(style_hashes: tuple[str, ...] = ()) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(style_hashes),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }


def init_headers(app: Flask, yasgui_js: Path) -> None:
    """Add the headers to every HTML answer of ``app``; ``yasgui_js`` is the installed editor's script."""
    headers = html_headers(editor_style_hashes(yasgui_js))

    def add(response: Response) -> Response:
        if response.mimetype in ("text/html", "application/xhtml+xml"):
            for name, value in headers.items():
                response.headers.setdefault(name, value)
        return response

    app.after_request(add)
