"""Rendering a page: the reader's language, the shared index and a few helpers every template uses."""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request

from server.negotiation import HTML
from server.pages.index import Index, IndexHolder
from server.pages.links import Linker, pick_language
from server.state import ServerState, get_state

LANGUAGE_COOKIE = "lang"
INDEX_EXTENSION = "morocco_kg_pages_index"


def init_rendering(app: Flask) -> None:
    """Give ``app`` its label index holder (filled on first use)."""
    app.extensions[INDEX_EXTENSION] = IndexHolder()


def page_index(state: ServerState) -> Index:
    holder: IndexHolder = current_app.extensions[INDEX_EXTENSION]
    return holder.get(state)


def language() -> str:
    return pick_language(
        request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language")
    )


def render_page(template: str, status: int = 200, **context: object) -> Response:
    """An HTML answer that depends on ``Accept`` and on the reader's language choice."""
    state = get_state()
    lang = str(context.pop("lang", None) or language())
    index = page_index(state)
    linker = Linker(index, lang)

    def translate(english: str, french: str) -> str:
        return french if lang == "fr" else english

    body = render_template(
        template,
        lang=lang,
        other_lang="fr" if lang == "en" else "en",
        t=translate,
        site_title=state.settings.title,
        linker=linker,
        index=index,
        documents=[linker.iri(doc) for doc in sorted({q.document for q in index.quotes.values() if q.document})],
        **context,
    )
    response = Response(body, status=status, content_type=HTML.content_type)
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response
