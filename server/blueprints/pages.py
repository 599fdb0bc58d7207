"""Pages for people: the home page, search, the query editor, the language switch and the editor's files.

Pages are rendered on the server and readable without JavaScript; scripts only add the graph picture,
the editor and the charts. The editor's files come from ``node_modules`` (``npm ci``), never a CDN.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, current_app, jsonify, redirect, request, send_from_directory, url_for

from server.description import schema_org_dataset
from server.errors import ApiError, not_acceptable
from server.negotiation import HTML, Format, choose, format_parameter
from server.pages.engine import Found
from server.pages.error_pages import init_error_pages
from server.pages.headers import init_headers
from server.pages.home import build_home
from server.pages.index import Index
from server.pages.links import LANGUAGES
from server.pages.query_pages import YASGUI_BUILD, editor_page
from server.pages.render import (
    LANGUAGE_COOKIE,
    init_rendering,
    language,
    page_index,
    render_page,
    search_engine,
)
from server.pages.resolve import local_path
from server.state import get_state

blueprint = Blueprint("pages", __name__)
JSON = Format("JSON", "application/json", (), ("json",))
PAGE_SIZE = 20


@blueprint.get("/")
def home() -> Response:
    """The home page for browsers; other clients are sent to the endpoint's service description."""
    accept = request.headers.get("Accept", "")
    if "text/html" not in accept and "application/xhtml+xml" not in accept:
        response = redirect(url_for("sparql.endpoint"), code=303)
        response.vary.add("Accept")
        return response  # type: ignore[return-value]
    state = get_state()
    lang = language()
    model = build_home(state, page_index(state), lang)
    settings = state.settings
    dataset = schema_org_dataset(request.url_root, state.info, settings.title, settings.license)
    # inside <script>: "<" escaped so that no "</script>" in a value can end the element
    dataset_jsonld = json.dumps(dataset, ensure_ascii=False, indent=1).replace("<", "\\u003c")
    return render_page(
        "home.html", lang=lang, home=model, dumps=list(state.info.dumps.values()), dataset_jsonld=dataset_jsonld
    )


@blueprint.get("/search")
def search() -> Response:
    """``/search?q=``: ranked entities, terms and quotes, as JSON for tools and as a page for people."""
    chosen = choose((JSON, HTML), request.headers.get("Accept"), format_parameter(request.args))
    if chosen is None:
        raise not_acceptable("search results are available as application/json or text/html")
    state = get_state()
    index = page_index(state)
    query = request.args.get("q", "").strip()[:200]
    kind = request.args.get("kind") or None
    page = _positive(request.args.get("page"), 1, 1000)
    size = _positive(request.args.get("size"), PAGE_SIZE, 100)
    lang = language()
    complete = request.args.get("complete") in ("1", "true")
    results = search_engine(state).search(query, kind, page, size, complete)
    if chosen is JSON:
        response = jsonify(
            query=query,
            total=results.total,
            page=results.page,
            pages=results.pages,
            size=results.size,
            facets=results.facets,
            suggestion=results.suggestion,
            results=[_hit_json(index, hit, lang) for hit in results.hits],
        )
        response.vary.add("Accept")
        return response
    quotes = {hit.iri: index.quotes.get(hit.iri) for hit in results.hits if hit.kind == "quote"}
    return render_page("search.html", lang=lang, query=query, kind=kind, results=results, quotes=quotes)


def _hit_json(index: Index, hit: Found, lang: str) -> dict[str, object]:
    quote = index.quotes.get(hit.iri)
    label = quote.text if quote else index.label(hit.iri, lang)
    return {
        "iri": hit.iri,
        "url": request.url_root.rstrip("/") + (local_path(index.base_iri, hit.iri) or ""),
        "label": label,
        "kind": hit.kind,
        "matched": label,
        "snippet": hit.snippet,
        "types": index.mdk_types(hit.iri),
        "score": hit.score,
    }


def _positive(raw: str | None, default: int, most: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise ApiError(400, f"expected a whole number from 1 to {most}, not {raw[:20]!r}")
    return int(raw)


@blueprint.get("/editor")
def editor() -> Response:
    """YASGUI on the endpoint (also what a browser gets at ``/sparql``)."""
    return editor_page(get_state())


@blueprint.get("/vendor/yasgui/<path:name>")
def yasgui_file(name: str) -> Response:
    directory = Path(get_state().settings.node_modules_dir) / YASGUI_BUILD
    if not directory.is_dir():
        raise ApiError(404, "the query editor is not installed: run `npm ci` (or `make setup`)")
    return send_from_directory(directory, name, max_age=86400)


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on every site; the pages also link the SVG."""
    return current_app.send_static_file("favicon.svg")


@blueprint.get("/language/<lang>")
def switch_language(lang: str) -> Response:
    """Remember the reader's language and go back to the page they were on (same site only)."""
    if lang not in LANGUAGES:
        raise ApiError(404, f"no language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    target = request.args.get("next", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = redirect(target, code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return response  # type: ignore[return-value]


def init_app(app: Flask) -> None:
    """Register the pages and the dereferenceable IRIs on ``app``.

    The IRIs are one catch-all route (``/<path>``), which Werkzeug ranks below every fixed route, so
    ``/sparql``, ``/queries`` and the rest keep answering whatever blueprint registers them.
    """
    from server.blueprints import resources

    init_rendering(app)
    init_headers(app, Path(get_state(app).settings.node_modules_dir) / YASGUI_BUILD / "yasgui.min.js")
    init_error_pages(app)
    app.register_blueprint(blueprint)
    app.register_blueprint(resources.blueprint)
