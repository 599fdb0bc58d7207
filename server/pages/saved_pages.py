"""The saved queries for browsers: ``/queries`` as a page of forms, and ``/queries/NAME`` run from a form (or a
link) as the same form with the results table below it, or with the error next to its field."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response, redirect, request

from core.call import prepare_call
from core.catalogue import RESERVED, Catalogue, SavedQuery
from core.guard import QueryRejected, analyse
from core.parameters import ParameterError
from server.pages.links import Linker
from server.pages.render import language, page_index, render_page
from server.pages.results import Table, run_table
from server.pages.saved_forms import form_fields, resolve_names
from server.state import ServerState


def catalogue_page(state: ServerState, catalogue: Catalogue) -> Response:
    """Every saved query with its form, in the reader's language."""
    lang = language()
    index = page_index(state)
    forms = [(saved, form_fields(saved, index, lang, {}, {})) for saved in catalogue]
    return render_page("queries.html", lang=lang, forms=forms)


# Saved queries that people are better served by the search engine for (words, not letters; typos; ranks).
SEARCH_INSTEAD = {"quotes-search": ("text", "quote")}


def saved_query_page(state: ServerState, saved: SavedQuery) -> Response:
    """Run ``saved`` with the form's values and show the table; a bad value is shown in the form (400)."""
    if saved.name in SEARCH_INSTEAD and request.values.get(SEARCH_INSTEAD[saved.name][0]):
        parameter, kind = SEARCH_INSTEAD[saved.name]
        target = "/search?" + urlencode({"q": request.values[parameter], "kind": kind})
        return redirect(target, code=303)  # type: ignore[return-value]
    lang = language()
    index = page_index(state)
    values = {key: value for key, value in request.values.items() if value != ""}
    if saved.parameter("lang") is not None and "lang" not in values:
        values["lang"] = lang  # labels in the interface's language
    values = resolve_names(saved, index, values)
    errors: dict[str, str] = {}
    table: Table | None = None
    call = None
    try:
        call = prepare_call(saved, {key: [value] for key, value in values.items()}, state.settings.max_rows)
        shape = analyse(call.query, state.settings.limits)
    except ParameterError as error:
        errors[error.name] = str(error)
    except QueryRejected as rejected:
        errors[""] = rejected.message
    if call is not None and not errors:
        paginated = call.probe_query is not None and call.page_size is not None
        fields = {
            "query": call.query,
            "capped_query": call.probe_query
            if paginated
            else shape.row_capped(call.query, state.settings.max_rows + 1),
            "default_graphs": None,
            "named_graphs": None,
            "max_rows": call.page_size if paginated else state.settings.max_rows,
            "prefixes": state.prefix_pairs,
            "base_iri": request.base_url,
        }
        kept = {k: v for k, v in values.items() if k not in RESERVED}
        base = f"/queries/{saved.name}" + (f"?{urlencode(kept)}" if kept else "")
        table = run_table(state, Linker(index, lang), fields, shape, base)
    page = call.page if call is not None else None
    pager = _pager(saved, values, page, table)
    status = 400 if errors else (table.status if table is not None else 200)
    return render_page(
        "saved_query.html",
        status=status,
        lang=lang,
        saved=saved,
        fields=form_fields(saved, index, lang, values, errors),
        errors=errors,
        table=table,
        pager=pager,
        query_text=call.query if call is not None else saved.text,
    )


def _pager(saved: SavedQuery, values: dict[str, str], page: int | None, table: Table | None) -> dict[str, str]:
    if page is None or table is None or table.error:
        return {}
    kept = {k: v for k, v in values.items() if k not in RESERVED}
    links = {}
    if page > 1:
        links["prev"] = f"/queries/{saved.name}?{urlencode({**kept, 'page': page - 1})}"
    if table.truncated:
        links["next"] = f"/queries/{saved.name}?{urlencode({**kept, 'page': page + 1})}"
    return links
