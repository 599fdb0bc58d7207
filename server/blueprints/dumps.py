"""Downloads of the whole dataset at stable URLs (``/dumps/kg.ttl`` ...), with their SHA-256 as ETag."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, send_file

from server.errors import ApiError
from server.state import get_state

blueprint = Blueprint("dumps", __name__, url_prefix="/dumps")
_TEXT_TYPES = ("text/", "application/n-", "application/trig", "application/ld+json", "application/rdf+xml")


@blueprint.get("/")
def index() -> Response:
    """The list of dumps, with enough to verify a download (size and hash)."""
    state = get_state()
    return jsonify(
        version=state.info.version,
        dumps=[
            {
                "url": f"{request.url_root}dumps/{dump.name}",
                "format": dump.format,
                "media_type": dump.media_type,
                "sha256": dump.sha256,
                "bytes": dump.size,
            }
            for dump in state.info.dumps.values()
        ],
    )


@blueprint.get("/<name>")
def download(name: str) -> Response:
    state = get_state()
    dump = state.info.dumps.get(name)
    if dump is None or not dump.path.is_file():
        raise ApiError(404, f"no dump named {name!r}; see /dumps/ for the list")
    content_type = dump.media_type
    if content_type.startswith(_TEXT_TYPES):
        content_type += "; charset=utf-8"
    max_age = state.settings.cache_max_age
    response = send_file(dump.path, mimetype=content_type, etag=dump.sha256, conditional=True, max_age=max_age)
    response.headers["Content-Type"] = content_type
    return response
