"""The search engine on its own (tantivy, no server): words not letters, both languages, typos, overlaps."""

from __future__ import annotations

from server.pages.engine import SearchDocument, SearchEngine

BASE = "https://example.org/kg/"
DOCS = [
    SearchDocument(BASE + "id/ai", "theme", (("fr", "intelligence artificielle"), ("en", "artificial intelligence"))),
    SearchDocument(
        BASE + "id/partners", "initiative", (("fr", "partenariats numériques"), ("en", "digital partnerships"))
    ),
    SearchDocument(BASE + "id/machines", "theme", (("fr", "machines"), ("en", "machines"))),
    SearchDocument(BASE + "id/china", "place", (("fr", "Chine"), ("en", "China"))),
    SearchDocument(
        BASE + "id/metals",
        "theme",
        (("fr", "métaux rares"), ("en", "rare metals")),
        (("fr", "Les métaux rares utilisés dans les puces."),),
    ),
    SearchDocument(
        BASE + "quote/d/0-40", "quote", (), (("fr", "Le Maroc développe l’IA et les données."),), ("d", 0, 40)
    ),
    SearchDocument(BASE + "quote/d/0-20", "quote", (), (("fr", "Le Maroc développe l’IA"),), ("d", 0, 20)),
    SearchDocument(BASE + "quote/d/50-90", "quote", (), (("fr", "Nous signons des partenariats."),), ("d", 50, 90)),
    SearchDocument(BASE + "id/fund", "figure", (("en", "venture fund endowment"),), (("", "700 millions de dirhams"),)),
]


def _iris(engine: SearchEngine, text: str, **options: object) -> list[str]:
    return [hit.iri.removeprefix(BASE) for hit in engine.search(text, **options).hits]  # type: ignore[arg-type]


def test_words_match_not_letters() -> None:
    engine = SearchEngine(DOCS)
    assert "id/partners" not in _iris(engine, "IA")  # "partenariats" contains the letters i-a
    assert "id/machines" not in _iris(engine, "chine")
    assert _iris(engine, "chine")[0] == "id/china"


def test_elision_accents_and_stemming_in_both_languages() -> None:
    engine = SearchEngine(DOCS)
    assert {"quote/d/0-40", "quote/d/0-20"} & set(_iris(engine, "IA"))  # "l’IA" indexed as "IA"
    assert _iris(engine, "l'IA") == _iris(engine, "IA")
    assert _iris(engine, "metal rare")[0] == "id/metals"  # no accent, singular: French stemming and folding
    assert _iris(engine, "rare metal")[0] == "id/metals"  # English
    assert _iris(engine, "partnership")[0] == "id/partners"
    assert _iris(engine, "700 millions de dirhams")[0] == "id/fund"  # a figure's words as stated


def test_typos_are_tolerated_and_a_correction_is_offered() -> None:
    engine = SearchEngine(DOCS)
    results = engine.search("intelligense artificielle")
    assert results.hits and results.hits[0].iri == BASE + "id/ai"
    assert results.suggestion == "intelligence artificielle"
    assert engine.search("artificielle").suggestion is None


def test_overlapping_quotes_count_once_with_facets_paging_and_snippets() -> None:
    engine = SearchEngine(DOCS)
    results = engine.search("Maroc IA")
    quotes = [hit.iri for hit in results.hits if hit.kind == "quote"]
    assert len(quotes) == 1  # 0-20 lies inside 0-40: one passage, one hit
    assert results.facets["quote"] == 1 and results.total == sum(results.facets.values())
    assert "<b>" in results.hits[0].snippet or any("<b>" in hit.snippet for hit in results.hits)
    first, second = engine.search("partenariats IA", size=1), engine.search("partenariats IA", size=1, page=2)
    assert first.total == second.total >= 2 and first.pages == first.total
    assert first.hits[0].iri != second.hits[0].iri
    only = engine.search("partenariats IA", kind="quote")
    assert only.hits and {hit.kind for hit in only.hits} == {"quote"} and only.facets == first.facets
