"""Rendering a page: the reader's language, the shared index and a few helpers every template uses."""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from markupsafe import Markup

from server.negotiation import HTML
from server.pages.engine import SearchEngine
from server.pages.index import Index, IndexHolder
from server.pages.links import Linker, pick_language
from server.pages.search import EngineHolder
from server.state import ServerState, get_state

LANGUAGE_COOKIE = "lang"
INDEX_EXTENSION = "morocco_kg_pages_index"


# The default title in French (a title set with --title is shown as given).
FRENCH_TITLES = {
    "Morocco Digital and AI Policy Knowledge Graph": "Graphe de connaissances des politiques numériques et de l’IA "
    "du Maroc"
}
ENGINE_EXTENSION = "morocco_kg_search_engine"
# The families of search results, as facets show them.
KIND_NAMES = {
    "person": ("people", "personnes"),
    "organisation": ("organisations", "organisations"),
    "place": ("places", "lieux"),
    "initiative": ("initiatives", "initiatives"),
    "theme": ("themes", "thèmes"),
    "figure": ("figures", "chiffres"),
    "position": ("positions", "fonctions"),
    "other": ("other", "autres"),
    "term": ("ontology terms", "termes de l’ontologie"),
    "quote": ("quotes", "citations"),
}


def init_rendering(app: Flask) -> None:
    """Give ``app`` its label index and search engine holders (filled on first use)."""
    app.extensions[INDEX_EXTENSION] = IndexHolder()
    app.extensions[ENGINE_EXTENSION] = EngineHolder()
    app.jinja_env.filters["snippet"] = snippet_markup


def snippet_markup(html: str) -> Markup:
    """A tantivy snippet (text escaped by tantivy, matched words in ``<b>``) as markup; anything else escaped."""
    if "<" in html.replace("<b>", "").replace("</b>", ""):
        return Markup.escape(html)
    return Markup(html.replace("<b>", '<mark class="hl">').replace("</b>", "</mark>"))


def search_engine(state: ServerState) -> SearchEngine:
    holder: EngineHolder = current_app.extensions[ENGINE_EXTENSION]
    return holder.get(state, page_index(state))


def page_index(state: ServerState) -> Index:
    holder: IndexHolder = current_app.extensions[INDEX_EXTENSION]
    return holder.get(state)


def language() -> str:
    return pick_language(
        request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE), request.headers.get("Accept-Language")
    )


def site_title(title: str, lang: str) -> str:
    return FRENCH_TITLES.get(title, title) if lang == "fr" else title


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
        site_title=FRENCH_TITLES.get(state.settings.title, state.settings.title)
        if lang == "fr"
        else state.settings.title,
        linker=linker,
        index=index,
        kinds=KIND_NAMES,
        documents=[linker.iri(doc) for doc in sorted({q.document for q in index.quotes.values() if q.document})],
        **context,
    )
    response = Response(body, status=status, content_type=HTML.content_type)
    response.vary.update(("Accept", "Accept-Language", "Cookie"))
    return response
