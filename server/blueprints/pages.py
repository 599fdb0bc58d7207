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
from server.pages.examples import examples
from server.pages.home import build_home
from server.pages.links import LANGUAGES, Linker
from server.pages.render import LANGUAGE_COOKIE, init_rendering, language, page_index, render_page
from server.pages.resolve import local_path
from server.pages.search import search as run_search
from server.state import get_state

blueprint = Blueprint("pages", __name__)
JSON = Format("JSON", "application/json", (), ("json",))
YASGUI_BUILD = Path("@zazuko") / "yasgui" / "build"


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
    """``/search?q=``: ranked names and quotes, as JSON for tools and as a page for people."""
    chosen = choose((JSON, HTML), request.headers.get("Accept"), format_parameter(request.args))
    if chosen is None:
        raise not_acceptable("search results are available as application/json or text/html")
    state = get_state()
    index = page_index(state)
    query = request.args.get("q", "").strip()[:200]
    lang = language()
    hits = run_search(index, query)
    linker = Linker(index, lang)
    if chosen is JSON:
        response = jsonify(
            query=query,
            results=[
                {
                    "iri": hit.iri,
                    "url": request.url_root.rstrip("/") + (local_path(index.base_iri, hit.iri) or ""),
                    "label": index.label(hit.iri, lang) if hit.kind != "quote" else hit.matched,
                    "kind": hit.kind,
                    "matched": hit.matched,
                    "types": index.mdk_types(hit.iri),
                    "score": round(hit.score, 2),
                }
                for hit in hits
            ],
        )
        response.vary.add("Accept")
        return response
    quotes = {hit.iri: index.quotes.get(hit.iri) for hit in hits if hit.kind == "quote"}
    return render_page("search.html", lang=lang, query=query, hits=hits, shown=linker, quotes=quotes)


@blueprint.get("/editor")
def editor() -> Response:
    """YASGUI on the endpoint, with the prefixes and the saved queries (or a few examples) as tabs."""
    state = get_state()
    prefixes = dict(state.prefixes)
    available = (Path(state.settings.node_modules_dir) / YASGUI_BUILD / "yasgui.min.js").is_file()
    found = examples(current_app, prefixes, state.settings.max_rows)
    config = {
        "endpoint": request.url_root + "sparql",
        "prefixes": prefixes,
        "examples": [{"name": ex.name, "summary": ex.summary, "query": ex.query} for ex in found],
    }
    return render_page("editor.html", examples=found, editor_available=available, config=config)


@blueprint.get("/vendor/yasgui/<path:name>")
def yasgui_file(name: str) -> Response:
    directory = Path(get_state().settings.node_modules_dir) / YASGUI_BUILD
    if not directory.is_dir():
        raise ApiError(404, "the query editor is not installed: run `npm ci` (or `make setup`)")
    return send_from_directory(directory, name, max_age=86400)


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
    app.register_blueprint(blueprint)
    app.register_blueprint(resources.blueprint)
