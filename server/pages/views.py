"""Which page answers for an IRI, and the models of the pages that are not plain resource pages:
a named graph, a source document (the viewer), a quote, a fact."""

from __future__ import annotations

from flask import Response, request

from server.errors import text_response
from server.negotiation import HTML, choose
from server.pages.describe import describe_resource
from server.pages.index import Index, SentenceSpan
from server.pages.links import Linker
from server.pages.render import language, page_index, render_page
from server.pages.source import anchor, load_source, sentence_anchor
from server.pages.store import page_query, select
from server.state import ServerState


def not_found(message: str) -> Response:
    """404 as a page for browsers, as short text for everyone else (like the rest of the API)."""
    if choose((HTML,), request.headers.get("Accept")) is HTML and "text/html" in request.headers.get("Accept", ""):
        return render_page("not_found.html", status=404, message=message)
    return text_response(404, message)


def _is(index: Index, target: str, class_name: str) -> bool:
    return index.mdk + class_name in index.types.get(target, ())


def resource_page(state: ServerState, target: str) -> Response:
    index = page_index(state)
    if target in {graph.iri for graph in state.info.graphs}:
        return _graph_page(state, target)
    if _is(index, target, "SourceDocument"):
        return source_page(state, index, target)
    lang = language()
    page = describe_resource(state, index, target, lang)
    template = "resource.html"
    context: dict[str, object] = {}
    linker = Linker(index, lang)
    if _is(index, target, "Quote"):
        template = "quote.html"
        context["quote"] = index.quotes.get(target)
        context["quote_facts"] = _facts_of_quotes(state, index, linker, target).get(target, [])
        context["quote_sentences"] = _sentences_of_quote(state, index, linker, target)
    elif (sentence := index.sentences.get(target)) is not None:
        context["in_source"] = _in_source(linker, sentence)
    elif _is(index, target, "Fact"):
        template = "fact.html"
    return render_page(template, 200, lang=lang, page=page, anchor=anchor, **context)


def _sentences_of_quote(state: ServerState, index: Index, linker: Linker, quote: str) -> list[dict[str, str]]:
    """The whole sentences a quote lies in: their words, their page and their place in the source viewer."""
    found = [
        (span, row["text"].value)
        for row in select(state, page_query(state, "quote-sentences", quote=quote))
        if (span := index.sentences.get(row["sentence"].value)) is not None
    ]
    return [
        {"text": text, "page": linker.path(span.iri), "in_source": _in_source(linker, span)}
        for span, text in sorted(found, key=lambda pair: pair[0].begin)
    ]


def _in_source(linker: Linker, sentence: SentenceSpan) -> str:
    """Where a sentence stands in the source viewer: its document's page, at the sentence's element."""
    return f"{linker.path(sentence.document)}#{sentence_anchor(sentence)}"


def _graph_page(state: ServerState, target: str) -> Response:
    graph = next(g for g in state.info.graphs if g.iri == target)
    query = page_query(state, "graph-classes", graph=target)
    classes = [(row["class"].value, int(row["n"].value)) for row in select(state, query)]
    return render_page("graph.html", graph=graph, classes=classes)


def _facts_of_quotes(
    state: ServerState, index: Index, linker: Linker, quote: str | None = None, document: str | None = None
) -> dict[str, list[tuple[object, object, object, str]]]:
    """For each quote (of one document, or one quote), the facts it supports as shown triples."""
    query = (
        page_query(state, "quote-facts", quote=quote)
        if quote
        else page_query(state, "document-facts", document=document or "")
    )
    facts: dict[str, list[tuple[object, object, object, str]]] = {}
    for row in select(state, query):
        fact = linker.path(row["fact"].value)
        shown = (linker.term(row["s"]), linker.iri(row["p"].value), linker.term(row["o"]), fact)
        facts.setdefault(row["quote"].value, []).append(shown)
    for rows in facts.values():
        rows.sort(key=lambda fact: (fact[0].text, fact[1].text))  # type: ignore[attr-defined]
    return facts


def source_page(state: ServerState, index: Index, document: str) -> Response:
    lang = language()
    linker = Linker(index, lang)
    speakers = {
        q.paragraph: index.label(q.speaker, lang)
        for q in index.quotes.values()
        if q.document == document and q.paragraph and q.speaker
    }
    source = load_source(state.settings.seeds_dir, state.settings.build_dir, document, index, speakers)
    quotes = sorted((q for q in index.quotes.values() if q.document == document), key=lambda q: q.begin or 0)
    about = _publication(state, index, linker, document)
    return render_page(
        "source.html",
        lang=lang,
        document=linker.iri(document),
        source=source,
        quotes=quotes,
        facts=_facts_of_quotes(state, index, linker, document=document),
        anchor=anchor,
        about=about,
    )


def _publication(state: ServerState, index: Index, linker: Linker, document: str) -> dict[str, object]:
    """Who published the document and with whom, and its address on the web when the data gives one."""
    query = page_query(state, "publication", document=document)
    about: dict[str, object] = {}
    for row in select(state, query):
        name, value = row["p"].value.rsplit("/", 1)[-1], row["o"]
        if name in ("publishedBy", "interviewee") and value.is_iri:
            about[name] = linker.iri(value.value)
        elif value.value.startswith(("https://", "http://")):
            about["url"] = value.value
    return about
