"""What search indexes, read from the store: every entity and ontology term with its names and its texts
(descriptions, claims, goals, findings, figures' words as stated, in French and English), and every quote.

The engine is built once per web process and per dataset version (a new build, or a new publish to a remote
store, gives a new version and so a new index), from the same pool as every page: no second copy of the data
and nothing to keep in step at build time.
"""

from __future__ import annotations

import threading

from server.pages.engine import SearchDocument, SearchEngine
from server.pages.index import Index
from server.pages.store import page_query, select
from server.state import ServerState

QUOTE_KIND = "quote"
TERM_KIND = "term"


def documents(state: ServerState, index: Index) -> list[SearchDocument]:
    """One document per entity, ontology term and quote of the dataset."""
    entities, terms = index.base_iri + "id/", index.mdk
    texts: dict[str, list[tuple[str, str]]] = {}
    for row in select(state, page_query(state, "search-texts")):
        subject = row["s"].value
        if subject.startswith((entities, terms)) and subject not in index.quotes:
            texts.setdefault(subject, []).append((row["o"].lang, row["o"].value))
    found = []
    for iri, by_lang in index.labels.items():
        if not iri.startswith((entities, terms)):
            continue
        names = [*by_lang.items(), *dict.fromkeys(index.alt_labels.get(iri, []))]
        kind = TERM_KIND if iri.startswith(terms) else index.kind(iri)
        found.append(SearchDocument(iri, kind, tuple(names), tuple(dict.fromkeys(texts.get(iri, [])))))
    for quote in index.quotes.values():
        span = (quote.document or "", quote.begin, quote.end) if quote.begin is not None else None
        found.append(SearchDocument(quote.iri, QUOTE_KIND, (), (("fr", quote.text),), span))  # type: ignore[arg-type]
    return found


class EngineHolder:
    """The search engine of the dataset version served now, built on first use by one thread."""

    def __init__(self) -> None:
        self._engine: SearchEngine | None = None
        self._version: str | None = None
        self._lock = threading.Lock()

    def get(self, state: ServerState, index: Index) -> SearchEngine:
        version = state.info.version
        if self._engine is None or self._version != version:
            with self._lock:
                if self._engine is None or self._version != version:
                    self._engine = SearchEngine(documents(state, index))
                    self._version = version
        return self._engine
