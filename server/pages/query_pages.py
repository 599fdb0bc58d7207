"""The pages a browser gets from the SPARQL endpoint: the editor at ``/sparql``, and a results table when it
runs a query there (see :mod:`server.pages.results`)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Response, current_app, request

from core.guard import QueryShape
from server.pages.examples import examples
from server.pages.links import Linker
from server.pages.render import language, page_index, render_page
from server.pages.results import run_table
from server.protocol import QueryRequest
from server.state import ServerState

YASGUI_BUILD = Path("@zazuko") / "yasgui" / "build"
LINKED_QUERY_CHARS = 6_000  # longer queries get no GET download links (URLs that long are refused by proxies)


def editor_page(state: ServerState) -> Response:
    """YASGUI on the endpoint, with the prefixes and the saved queries (or a few examples) as tabs; the
    plain form below it works without JavaScript and shows its results as a page."""
    lang = language()
    index = page_index(state)
    prefixes = dict(state.prefixes)
    available = (Path(state.settings.node_modules_dir) / YASGUI_BUILD / "yasgui.min.js").is_file()
    found = examples(current_app, prefixes, state.settings.max_rows, lang)
    config = {
        "endpoint": request.url_root + "sparql",
        "prefixes": prefixes,
        "lang": lang,
        "labels": {iri: index.label(iri, lang) for iri in index.labels if iri.startswith(index.base_iri)},
        "examples": [{"name": ex.name, "summary": ex.summary, "query": ex.query} for ex in found],
    }
    start = request.args.get("query") or (found[0].query if found else "")
    return render_page("editor.html", lang=lang, examples=found, editor_available=available, config=config, start=start)


def query_page(state: ServerState, query_request: QueryRequest, shape: QueryShape) -> Response:
    """The answer to a query sent by a browser, as a table (or the error, next to the query, with a 400)."""
    lang = language()
    text = query_request.query
    max_rows = state.settings.max_rows
    fields = {
        "query": text,
        "capped_query": shape.row_capped(text, max_rows + 1),
        "default_graphs": query_request.default_graphs,
        "named_graphs": query_request.named_graphs,
        "max_rows": max_rows,
        "prefixes": state.prefix_pairs,
        "base_iri": request.base_url,
        "query_has_dataset": shape.has_dataset_clause,
    }
    base = "/sparql?" + urlencode({"query": text}) if len(text) <= LINKED_QUERY_CHARS else ""
    table = run_table(state, Linker(page_index(state), lang), fields, shape, base)
    if not base:
        table.downloads = []
    status = table.status
    return render_page("results.html", status=status, lang=lang, table=table, query_text=text)
