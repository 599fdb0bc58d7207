"""The defects people saw on the pages, each checked over HTTP: raw values, slug titles, blank nodes,
repeats, the map, the ontology documentation, the favicon and the security headers."""

from __future__ import annotations

import re
from collections import Counter

from tests.pages.site_support import QUOTE, RunningServer

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FACT = "/fact/lexpress-seghrouchni/venture-building-endowment.value.4bb851595a"


def _html(server: RunningServer, path: str, status: int = 200, **headers: str) -> str:
    answer = server.request("GET", path, headers={**BROWSER, **headers})
    assert answer.status == status, (path, answer.status, answer.text[:200])
    return answer.text


def test_dates_read_as_words_in_both_languages(pages_server: RunningServer) -> None:
    english = _html(pages_server, "/id/jazari-root")
    # the time value's IRI (id/time/--01-12) may hold the lexical form; the text a reader sees must not
    assert "12 January" in english and "gMonthDay" not in english and ">--01-12<" not in english
    assert "12 janvier" in _html(pages_server, "/id/jazari-root?lang=fr")


def test_fact_and_quote_pages_are_titled_in_words(pages_server: RunningServer) -> None:
    fact = _html(pages_server, FACT)
    title = re.search(r"<title>(.*?)</title>", fact, re.S).group(1)  # type: ignore[union-attr]
    assert "venture-building-endowment" not in title and "endowment" in title and "700" in title
    assert ">subject</a>" in fact and ">property</a>" in fact  # rdf: terms named, not by their IRIs' ends
    quote = _html(pages_server, "/" + QUOTE)
    title = re.search(r"<title>(.*?)</title>", quote, re.S).group(1)  # type: ignore[union-attr]
    assert "6522-6631" not in title and "Nous avons singé" in title


def test_alternative_names_and_quotes_are_not_repeated(pages_server: RunningServer) -> None:
    mistral = _html(pages_server, "/id/mistral-ai")
    names = re.search(r"<dt>also</dt><dd>(.*?)</dd>", mistral, re.S)
    if names:
        shown = re.findall(r">([^<]+)</span>", names.group(1))
        assert len(shown) == len({name.casefold() for name in shown}), shown
    for path in ("/id/jazari-root", "/id/morocco", "/id/mistral-ai"):
        page = _html(pages_server, path)
        full = Counter(re.findall(r'<blockquote class="quote" lang="fr" cite="([^"]+)"', page))
        assert full and max(full.values()) == 1, (path, full.most_common(2))


def test_ontology_term_pages_show_no_blank_node_ids(pages_server: RunningServer) -> None:
    for term in ("Figure", "competitiveOn", "Place"):
        page = _html(pages_server, f"/ontology/{term}")
        assert not re.search(r">[0-9a-f]{32}<", page), term
        assert "22-rdf-syntax-ns#first" not in page
    assert "actor or place" in _html(pages_server, "/ontology/competitiveOn")


def test_the_ontology_documentation_is_tidied(pages_server: RunningServer) -> None:
    docs = pages_server.request("GET", "/ontology/", headers=BROWSER)
    page = docs.text
    assert '<html lang="en">' in page and "<style>" not in page
    assert "<h1>Morocco Digital Knowledge Graph ontology</h1>" in page
    assert "unités et devises</title>" not in page
    assert "initiativeinitiative" not in page and "actoracteur" not in page
    assert 'header class="kg-site"' in page and 'href="/search"' in page
    css = pages_server.request("GET", "/docs/ontology.css")
    assert css.status == 200 and css.header("content-type").startswith("text/css") and "#pylode" in css.text


def test_home_map_and_counts(pages_server: RunningServer) -> None:
    home = _html(pages_server, "/")
    assert " 1 facts" not in home
    labels = [(float(x), float(y)) for x, y in re.findall(r'<text x="([\d.]+)" y="([\d.]+)" class="place-label"', home)]
    assert len(labels) >= 4
    for i, (x, y) in enumerate(labels):
        for other_x, other_y in labels[i + 1 :]:
            assert abs(x - other_x) >= 70 or abs(y - other_y) >= 12, ((x, y), (other_x, other_y))
    assert 'style="' not in home  # inline styles would be refused by the CSP


def test_security_headers_on_every_html_answer_and_a_favicon(pages_server: RunningServer) -> None:
    paths = ["/", "/search?q=rabat", "/sparql", "/queries", "/id/rabat", "/ontology/", "/doc/lexpress-seghrouchni"]
    for path in [*paths, "/nowhere"]:
        answer = pages_server.request("GET", path, headers=BROWSER)
        assert answer.header("content-type").startswith("text/html"), path
        policy = answer.header("content-security-policy")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy
        assert answer.header("x-content-type-options") == "nosniff"
        assert answer.header("referrer-policy") == "strict-origin-when-cross-origin"
    data = pages_server.request("GET", "/search?q=rabat", headers={"Accept": "application/json"})
    assert not data.header("content-security-policy")
    icon = pages_server.request("GET", "/favicon.ico")
    assert icon.status == 200 and icon.header("content-type").startswith("image/svg+xml")
    assert 'rel="icon"' in _html(pages_server, "/")


def test_error_pages_for_browsers_plain_text_for_tools(pages_server: RunningServer) -> None:
    page = _html(pages_server, "/search?q=x&page=0", status=400, Cookie="lang=fr")
    assert "<h1>Requête incorrecte</h1>" in page and '<html lang="fr">' in page
    tool = pages_server.request("GET", "/search?q=x&page=0", headers={"Accept": "*/*"})
    assert tool.status == 400 and tool.header("content-type").startswith("text/plain")
    refused = pages_server.request("DELETE", "/sparql", headers=BROWSER)
    assert refused.status == 405 and refused.header("allow")
