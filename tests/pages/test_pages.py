"""The pages for people, read as HTML over HTTP: home, entity, source viewer, search, editor, docs."""

from __future__ import annotations

import urllib.parse
from html.parser import HTMLParser

from server.pages.examples import builtin_examples
from tests.pages.site_support import DOCUMENT, ENTITY, RunningServer

BROWSER = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}


def _page(server: RunningServer, path: str, headers: dict[str, str] | None = None) -> str:
    answer = server.request("GET", path, headers={**BROWSER, **(headers or {})})
    assert answer.status == 200, answer.text[:300]
    assert answer.header("content-type") == "text/html; charset=utf-8"
    return answer.text


class _SentenceElements(HTMLParser):
    """The text of every ``<span class="sentence" id=...>`` of a page, nested elements included."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self._open.append(values.get("id") if values.get("class") == "sentence" else None)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            if element is not None:
                self.texts[element] = self.texts.get(element, "") + data


def _sentence_elements(html: str) -> dict[str, str]:
    parser = _SentenceElements()
    parser.feed(html)
    return parser.texts


def _search(server: RunningServer, query: str) -> list[dict[str, object]]:
    answer = server.request("GET", "/search?" + urllib.parse.urlencode({"q": query}), headers={"Accept": "*/*"})
    assert answer.status == 200
    assert answer.header("content-type").startswith("application/json")
    return answer.json()["results"]  # type: ignore[index, no-any-return]


def test_home_page_has_counts_landmarks_and_links(pages_server: RunningServer) -> None:
    html = _page(pages_server, "/")
    for landmark in ("<header", "<nav", "<main", "<footer", 'role="search"'):
        assert landmark in html
    for link in ('href="/queries"', 'href="/ontology/"', 'href="/.well-known/void"', 'href="/dumps/kg.ttl"'):
        assert link in html
    count = pages_server.query(
        "SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE { ?f a <https://w3id.org/morocco-digital-kg/ontology/Fact> }",
        accept="text/csv",
    ).text.split()[-1]
    assert 100 < int(count) < 1000  # the home page shows it without a thousands separator
    assert f">{count}</strong> facts" in html
    assert 'class="land"' in html and "Dakhla" in html  # the map and a place it names


def test_entity_page_shows_labels_facts_quotes_and_the_graph_data(pages_server: RunningServer) -> None:
    html = _page(pages_server, "/" + ENTITY)
    assert "<h1" in html and "Jazari Root" in html
    assert 'href="/id/mistral-ai"' in html  # a fact, linked
    assert "Nous avons singé pour la création d’un laboratoire" in html  # its quote
    assert f'href="/{DOCUMENT}#q-6522-6631"' in html  # linked to its place in the source
    assert 'id="graph-data"' in html


def test_language_switch_with_fallback(pages_server: RunningServer) -> None:
    french = _page(pages_server, "/id/morocco?lang=fr")
    assert '<h1 lang="fr">Maroc</h1>' in french
    english = _page(pages_server, "/id/morocco", {"Cookie": "lang=en"})
    assert '<h1 lang="en">Morocco</h1>' in english
    switch = pages_server.request("GET", "/language/fr?next=/id/morocco")
    assert switch.status == 303 and switch.header("location").endswith("/id/morocco")
    assert "lang=fr" in switch.header("set-cookie")
    assert pages_server.request("GET", "/language/fr?next=//evil.example/").header("location").endswith("/")


def test_figures_have_units(pages_server: RunningServer) -> None:
    html = _page(pages_server, "/id/venture-building-initiative")
    assert "700\u202f000\u202f000" in html and "dirham" in html


def test_source_viewer_highlights_spans_and_shows_unmapped_sentences(pages_server: RunningServer) -> None:
    html = _page(pages_server, "/" + DOCUMENT)
    assert 'id="q-6522-6631"' in html
    assert 'id="facts-q-6522-6631"' in html
    assert 'class="sentence-note not-factual"' in html
    assert "Comment s’en sort le Maroc ?" in html


def test_search_is_accent_and_case_blind_and_ranked(pages_server: RunningServer) -> None:
    results = _search(pages_server, "JAZARI root")
    assert results[0]["iri"].endswith("/" + ENTITY)  # type: ignore[union-attr]
    accented = _search(pages_server, "numérique")
    plain = _search(pages_server, "NUMERIQUE")
    assert [r["iri"] for r in accented] == [r["iri"] for r in plain] and plain
    quotes = [r for r in _search(pages_server, "laboratoire de R&D commun") if r["kind"] == "quote"]
    assert quotes and "Mistral" in str(quotes[0]["matched"])
    assert _search(pages_server, "") == []
    html = _page(pages_server, "/search?q=marrakech")
    assert 'href="/id/marrakech"' in html


def test_ontology_documentation_and_terms(pages_server: RunningServer) -> None:
    docs = _page(pages_server, "/ontology/")
    assert "Institute" in docs
    assert _page(pages_server, "/docs/ontology") == docs
    term = _page(pages_server, "/ontology/Institute")
    assert 'href="/id/jazari-root"' in term  # a class page lists its instances


def test_editor_is_served_locally_with_examples(pages_server: RunningServer) -> None:
    html = _page(pages_server, "/editor")
    assert 'src="/vendor/yasgui/yasgui.min.js"' in html
    assert "cdn" not in html.lower()
    script = pages_server.request("GET", "/vendor/yasgui/yasgui.min.js")
    assert script.status == 200 and len(script.body) > 100_000
    assert 'id="editor-config"' in html and "PREFIX" in html


def test_entity_and_fact_pages_say_whose_words_a_fact_is(pages_server: RunningServer) -> None:
    html = _page(pages_server, "/id/french-mathematics-lecturer")
    assert 'class="according-to"' in html
    assert 'according to <a href="/id/french-mathematics-lecturer"' in html
    assert "reported speech of a third party" in html
    assert 'according to <a href="/id/lexpress"' in html  # the facts L'Express states about him
    fact = pages_server.query(
        "SELECT ?f WHERE { ?f <http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate> "
        "<https://w3id.org/morocco-digital-kg/ontology/awardedBy> }",
        accept="text/csv",
    ).text.split()[-1]
    page = _page(pages_server, "/" + fact.removeprefix("https://w3id.org/morocco-digital-kg/"))
    assert 'According to <a href="/id/lexpress"' in page
    assert "(stated as fact)" in page


def test_every_sentence_of_the_graph_is_the_same_span_in_the_viewer(pages_server: RunningServer) -> None:
    """The viewer cuts at the build's sentence spans: each ``mdk:Sentence`` is one element, its exact words."""
    query = """PREFIX mdk: <https://w3id.org/morocco-digital-kg/ontology/>
    SELECT ?begin ?end ?text WHERE {
      ?s a mdk:Sentence ; mdk:beginIndex ?begin ; mdk:endIndex ?end ; mdk:exactText ?text }"""
    answer = pages_server.request(
        "GET",
        "/sparql?" + urllib.parse.urlencode({"query": query}),
        headers={"Accept": "application/sparql-results+json"},
    )
    rows = answer.json()["results"]["bindings"]  # type: ignore[index]
    assert len(rows) > 100
    shown = _sentence_elements(_page(pages_server, "/" + DOCUMENT))
    for row in rows:
        begin, end, text = row["begin"]["value"], row["end"]["value"], row["text"]["value"]
        assert shown.get(f"s-{begin}-{end}") == text, f"sentence {begin}-{end} is not one element of the viewer"


def test_a_quote_page_shows_its_whole_sentence_and_where_it_stands(pages_server: RunningServer) -> None:
    html = _page(pages_server, "/quote/lexpress-seghrouchni/928-975")
    assert "partenariats avec la France mais aussi la Chine" in html
    assert "Modernisation, Coupe du monde 2030, dialogue avec les concurrents africains" in html
    assert f'href="/{DOCUMENT}#s-851-1038"' in html
    sentence = _page(pages_server, "/sentence/lexpress-seghrouchni/851-1038")
    assert f'href="/{DOCUMENT}#s-851-1038"' in sentence


def test_the_editors_built_in_examples_answer_with_rows(pages_server: RunningServer) -> None:
    """The examples shown when no catalogue is loaded must run as is on this graph, not return nothing."""
    base = "https://w3id.org/morocco-digital-kg/"
    prefixes = {
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "mdk": base + "ontology/",
        "kg": base + "id/",
    }
    for example in builtin_examples(prefixes):
        answer = pages_server.request(
            "GET",
            "/sparql?" + urllib.parse.urlencode({"query": example.query}),
            headers={"Accept": "application/sparql-results+json"},
        )
        assert answer.status == 200, (example.name, answer.text[:300])
        assert answer.json()["results"]["bindings"], f"the example {example.name!r} returns no rows"  # type: ignore[index]
