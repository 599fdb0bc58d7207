"""One search box over names (both languages, alternative names) and quotes, accent- and case-blind.

Ranking, best first: a name equal to the query, a name starting with it, a word of a name starting with
it, a name containing it, a name containing every word of it; then quotes containing the phrase, then
quotes containing every word. Names beat quotes because a reader who types a name wants its page.
Pure functions over the :class:`~server.pages.index.Index`; no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from server.pages.index import Index

_NON_WORD = re.compile(r"[^\w]+")
LIMIT = 50


def normalise(text: str) -> str:
    """Lower case, no accents, apostrophes and punctuation as spaces: ``Numérique`` → ``numerique``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", bare.casefold()).split())


@dataclass(frozen=True, slots=True)
class Hit:
    """One result: the resource, what matched, and its score (higher is better)."""

    iri: str
    kind: str  # "entity", "term" or "quote"
    matched: str
    matched_lang: str
    score: float


def _name_score(name: str, query: str, words: list[str]) -> float:
    if name == query:
        return 100
    if name.startswith(query):
        return 80 + 10 * len(query) / max(len(name), 1)
    if f" {query}" in f" {name}":
        return 65
    if query in name:
        return 50
    name_words = name.split()
    if all(any(w.startswith(word) for w in name_words) for word in words):
        return 35
    return 0


def _quote_score(text: str, query: str, words: list[str]) -> float:
    if query in text:
        return 25 + min(5, text.count(query))
    padded = f" {text} "
    if all(f" {word}" in padded for word in words):
        return 15 + min(5, sum(padded.count(f" {word}") for word in words) / len(words))
    return 0


def search(index: Index, raw_query: str, limit: int = LIMIT) -> list[Hit]:
    """The best hits for ``raw_query``, at most ``limit``, one per resource."""
    query = normalise(raw_query)
    if not query:
        return []
    words = query.split()
    best: dict[str, Hit] = {}

    def offer(hit: Hit) -> None:
        if hit.score > 0 and (hit.iri not in best or hit.score > best[hit.iri].score):
            best[hit.iri] = hit

    for iri, by_lang in index.labels.items():
        kind = "entity" if iri.startswith(index.base_iri + "id/") else "term"
        names = [(lang, label, 1.0) for lang, label in by_lang.items()]
        names += [(lang, label, 0.9) for lang, label in index.alt_labels.get(iri, [])]
        for lang, label, weight in names:
            score = _name_score(normalise(label), query, words) * weight
            if kind == "term":
                score *= 0.8  # ontology terms after the things they describe
            offer(Hit(iri, kind, label, lang, score))
    for quote in index.quotes.values():
        offer(Hit(quote.iri, "quote", quote.text, "", _quote_score(normalise(quote.text), query, words)))
    ranked = sorted(best.values(), key=lambda hit: (-hit.score, hit.matched.casefold()))
    return ranked[:limit]
