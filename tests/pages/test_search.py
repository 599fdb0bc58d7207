"""/search over HTTP: the relevance set (tests/pages/search_relevance.yaml), typos, paging, and negotiation."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
import yaml

from tests.pages.site_support import BASE, RunningServer

RELEVANCE = yaml.safe_load((Path(__file__).parent / "search_relevance.yaml").read_text(encoding="utf-8"))
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _search(server: RunningServer, accept: str = "application/json", **params: object) -> dict[str, object]:
    answer = server.request("GET", "/search?" + urllib.parse.urlencode(params), headers={"Accept": accept})
    assert answer.status == 200, answer.text[:300]
    assert answer.header("content-type").startswith("application/json")
    return answer.json()  # type: ignore[no-any-return]


def _top(server: RunningServer, query: str, size: int = 5, kind: str | None = None) -> list[str]:
    results = _search(server, q=query, size=size, **({"kind": kind} if kind else {}))["results"]
    return [str(r["iri"]).removeprefix(BASE) for r in results]  # type: ignore[union-attr]


@pytest.mark.parametrize("case", RELEVANCE["queries"], ids=lambda case: case["q"])
def test_expected_entities_are_in_the_top_five(pages_server: RunningServer, case: dict[str, object]) -> None:
    top = _top(pages_server, str(case["q"]), kind=case.get("kind"))  # type: ignore[arg-type]
    missing = [local for local in case["expect"] if local not in top]  # type: ignore[attr-defined]
    assert not missing, f"{case['q']!r}: {missing} not in the top 5 {top}"


@pytest.mark.parametrize("case", RELEVANCE["typos"], ids=lambda case: case["q"])
def test_typos_find_the_entity_and_suggest_the_spelling(pages_server: RunningServer, case: dict[str, str]) -> None:
    found = _search(pages_server, q=case["q"], size=5)
    assert case["expect"] in [str(r["iri"]).removeprefix(BASE) for r in found["results"]]  # type: ignore[union-attr]
    assert found["suggestion"] == case["suggest"]


@pytest.mark.parametrize("case", RELEVANCE["not_matching"], ids=lambda case: case["q"])
def test_matching_is_by_word(pages_server: RunningServer, case: dict[str, object]) -> None:
    every = _top(pages_server, str(case["q"]), size=100)
    assert every and not set(case["absent"]) & set(every)  # type: ignore[arg-type]


def test_paging_has_a_total_and_facets_count_every_hit(pages_server: RunningServer) -> None:
    first = _search(pages_server, q="IA", size=10)
    second = _search(pages_server, q="IA", size=10, page=2)
    assert first["total"] == second["total"] and int(first["total"]) > 50  # type: ignore[arg-type]
    assert sum(first["facets"].values()) == first["total"]  # type: ignore[union-attr]
    assert {r["iri"] for r in first["results"]}.isdisjoint(r["iri"] for r in second["results"])  # type: ignore[union-attr]
    quotes = _search(pages_server, q="IA", size=100, kind="quote")
    assert quotes["total"] == first["facets"]["quote"]  # type: ignore[index]
    assert all(r["kind"] == "quote" for r in quotes["results"])  # type: ignore[union-attr]
    assert any("<b>" in str(r["snippet"]) for r in quotes["results"])  # type: ignore[union-attr]
    bad = pages_server.request("GET", "/search?q=IA&page=0", headers={"Accept": "application/json"})
    assert bad.status == 400


def test_search_answers_json_after_the_catalogue_was_fetched_as_json(pages_server: RunningServer) -> None:
    """Negotiation is memoised on formats equal by value: /queries's JSON must not become /search's HTML."""
    catalogue = pages_server.request("GET", "/queries", headers={"Accept": "application/json"})
    assert catalogue.header("content-type").startswith("application/json")
    for accept in ("application/json", "application/json, text/html;q=0.5"):
        answer = pages_server.request("GET", "/search?q=rabat", headers={"Accept": accept})
        assert answer.header("content-type").startswith("application/json"), accept
    page = pages_server.request("GET", "/search?q=rabat", headers={"Accept": BROWSER})
    assert page.header("content-type").startswith("text/html")


def test_search_page_shows_the_correction_the_total_and_highlights(pages_server: RunningServer) -> None:
    answer = pages_server.request("GET", "/search?q=Marakech", headers={"Accept": BROWSER})
    assert answer.status == 200
    assert 'id="did-you-mean"' in answer.text and ">marrakech</a>" in answer.text
    assert 'href="/id/marrakech"' in answer.text
    assert '<mark class="hl">' in answer.text
