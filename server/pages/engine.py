"""Full-text search on tantivy: BM25 over words, with French and English analysers, typo tolerance, snippets.

Why a real engine: matching letters inside names made "IA" find "partenariats" and "chine" find "machines",
and left out everything but names and quotes. Here each document (an entity, an ontology term, a quote) is
indexed word by word in two analysed copies: French (accents folded, elisions such as "l'IA" and stop words
removed, Snowball French stemming) and English (the same with the English stemmer). A query is analysed
both ways and the better language wins by BM25; exact words count more than words within one or two typos.

The corpus is a few hundred documents, so a search collects every hit once, then removes quotes that
overlap a better one, counts kinds (the facets) and cuts the page: totals and facets are exact.
Pure: documents in, results out; :mod:`server.pages.search` builds the documents from the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import tantivy

# Elided articles and pronouns ("l'IA", "d'excellence", "qu'il") and the commonest function words.
FRENCH_STOP = [
    "l",
    "d",
    "j",
    "m",
    "n",
    "s",
    "t",
    "c",
    "qu",
    "jusqu",
    "lorsqu",
    "puisqu",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "de",
    "et",
    "ou",
    "en",
    "au",
    "aux",
    "a",
    "à",
    "ce",
    "ces",
    "cet",
    "cette",
    "est",
    "sont",
    "sur",
    "par",
    "pour",
    "dans",
    "avec",
    "que",
    "qui",
    "ne",
    "pas",
    "plus",
    "se",
    "sa",
    "son",
    "ses",
    "leur",
    "leurs",
    "nous",
    "vous",
    "il",
    "elle",
    "ils",
    "elles",
    "on",
]
ENGLISH_STOP = [
    *("l", "d", "j", "m", "n", "s", "t", "c", "qu"),  # French elisions in names quoted in English text
    "a",
    "an",
    "the",
    "of",
    "and",
    "or",
    "in",
    "on",
    "at",
    "to",
    "for",
    "by",
    "with",
    "is",
    "are",
    "be",
    "as",
    "it",
    "its",
    "this",
    "that",
    "from",
]
_WORD = re.compile(r"[^\W_]+")
_MAX_HITS = 10_000


@dataclass(frozen=True, slots=True)
class SearchDocument:
    """What is indexed for one resource: its names and its texts, by language ("" for no language)."""

    iri: str
    kind: str
    names: tuple[tuple[str, str], ...] = ()  # (lang, name)
    texts: tuple[tuple[str, str], ...] = ()  # (lang, text)
    span: tuple[str, int, int] | None = None  # a quote's (document, begin, end), to drop overlapping quotes


@dataclass(frozen=True, slots=True)
class Found:
    """One result: the resource, its kind, its BM25 score and a snippet with the matched words in <b>."""

    iri: str
    kind: str
    score: float
    snippet: str = ""


@dataclass
class Results:
    """One page of results with the exact total, counts by kind and a spelling suggestion."""

    query: str
    total: int
    hits: list[Found]
    facets: dict[str, int] = field(default_factory=dict)
    suggestion: str | None = None
    page: int = 1
    size: int = 20

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def fold(text: str) -> str:
    """Lower case without accents: what "did you mean" compares (``Numérique`` → ``numerique``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _analyzer(language: str, stop: list[str]) -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"[^\W_]+"))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword([fold(word) for word in stop]))
        .filter(tantivy.Filter.stemmer(language))
        .build()
    )


FIELDS = {"names_fr": "fr", "names_en": "en", "text_fr": "fr", "text_en": "en"}
BOOSTS = {"names_fr": 4.0, "names_en": 4.0, "text_fr": 1.0, "text_en": 1.0}


class SearchEngine:
    """An in-memory tantivy index of ``documents``, built once per dataset version."""

    def __init__(self, documents: list[SearchDocument]) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("iri", stored=True, tokenizer_name="raw")
        builder.add_text_field("kind", stored=True, tokenizer_name="raw")
        for name, lang in FIELDS.items():
            builder.add_text_field(name, stored=name.startswith("text"), tokenizer_name=f"kg_{lang}")
        self._schema = builder.build()
        self._index = tantivy.Index(self._schema)
        self._index.register_tokenizer("kg_fr", _analyzer("french", FRENCH_STOP))
        self._index.register_tokenizer("kg_en", _analyzer("english", ENGLISH_STOP))
        self._spans = {doc.iri: doc.span for doc in documents if doc.span}
        self._kinds = {doc.iri: doc.kind for doc in documents}
        self.vocabulary: Counter[str] = Counter()
        writer = self._index.writer(heap_size=15_000_000, num_threads=1)
        for doc in documents:
            writer.add_document(self._document(doc))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self.size = len(documents)

    def _document(self, doc: SearchDocument) -> tantivy.Document:
        values: dict[str, list[str]] = {name: [] for name in FIELDS}
        for lang, name in doc.names:
            for language in ("fr", "en") if lang not in ("fr", "en") else (lang,):
                values[f"names_{language}"].append(name)
        for lang, text in doc.texts:
            for language in ("fr", "en") if lang not in ("fr", "en") else (lang,):
                values[f"text_{language}"].append(text)
        for text in (*(n for _, n in doc.names), *(t for _, t in doc.texts)):
            self.vocabulary.update(w for w in _WORD.findall(fold(text)) if len(w) > 2)
        return tantivy.Document(iri=doc.iri, kind=doc.kind, **{k: " \n".join(v) for k, v in values.items() if v})

    def _query(self, text: str, fuzzy: bool, every_word: bool = False, prefix: bool = False) -> tantivy.Query:
        safe = " ".join(_WORD.findall(text))  # words only: the query language's operators are not offered
        fuzzy_fields = {name: (prefix, 1, True) for name in FIELDS} if fuzzy else None
        return self._index.parse_query(
            safe, list(FIELDS), field_boosts=BOOSTS, fuzzy_fields=fuzzy_fields, conjunction_by_default=every_word
        )

    def search(
        self, text: str, kind: str | None = None, page: int = 1, size: int = 20, complete: bool = False
    ) -> Results:
        """Page ``page`` of the hits for ``text`` (of one ``kind`` when given), best first.

        ``complete``: the words may be the beginnings of longer ones ("Rab" finds Rabat), for suggestions
        while a name is being typed.
        """
        words = _WORD.findall(text)
        if not words:
            return Results(text, 0, [], page=page, size=size)
        searcher = self._index.searcher()
        exact = self._query(text, fuzzy=False)
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, tantivy.Query.boost_query(exact, 3.0)),
                (tantivy.Occur.Should, tantivy.Query.boost_query(self._query(text, False, every_word=True), 2.0)),
                (tantivy.Occur.Should, self._query(text, fuzzy=True, prefix=complete)),
            ]
        )
        found = searcher.search(query, _MAX_HITS).hits
        ranked = self._without_overlaps([(score, searcher.doc(address)) for score, address in found])
        facets = Counter(doc["kind"][0] for _, doc in ranked)
        chosen = [(s, d) for s, d in ranked if kind is None or d["kind"][0] == kind]
        start = (max(page, 1) - 1) * size
        suggestion = self.suggest(words)
        marked = self._query(f"{text} {suggestion}", fuzzy=False) if suggestion else exact  # typos: mark the fix
        snippets = {name: tantivy.SnippetGenerator.create(searcher, marked, self._schema, name) for name in FIELDS}
        for generator in snippets.values():
            generator.set_max_num_chars(220)
        hits = [
            Found(doc["iri"][0], doc["kind"][0], round(score, 3), self._snippet(snippets, doc))
            for score, doc in chosen[start : start + size]
        ]
        return Results(text, len(chosen), hits, dict(facets), suggestion, max(page, 1), size)

    @staticmethod
    def _snippet(generators: dict[str, tantivy.SnippetGenerator], doc: tantivy.Document) -> str:
        for name in ("text_fr", "text_en"):
            if doc.get_first(name):
                html = generators[name].snippet_from_doc(doc).to_html()
                if "<b>" in html:
                    return html
        return ""

    def _without_overlaps(self, ranked: list[tuple[float, tantivy.Document]]) -> list[tuple[float, tantivy.Document]]:
        """Drop a quote whose span overlaps a better-ranked quote of the same text: one passage, one hit."""
        kept: list[tuple[float, tantivy.Document]] = []
        spans: list[tuple[str, int, int]] = []
        for score, doc in ranked:
            span = self._spans.get(doc["iri"][0])
            if span is not None:
                if any(s[0] == span[0] and s[1] < span[2] and span[1] < s[2] for s in spans):
                    continue
                spans.append(span)
            kept.append((score, doc))
        return kept

    def suggest(self, words: list[str]) -> str | None:
        """The query with each unknown word replaced by the commonest indexed word within two edits."""
        changed, out = False, []
        for word in words:
            folded = fold(word)
            if folded in self.vocabulary or len(folded) < 3:
                out.append(word)
                continue
            limit = 1 if len(folded) < 6 else 2
            best = min(
                (
                    (distance, -count, candidate)
                    for candidate, count in self.vocabulary.items()
                    if abs(len(candidate) - len(folded)) <= limit
                    and (distance := _distance(folded, candidate, limit)) <= limit
                ),
                default=None,
            )
            if best is None:
                out.append(word)
            else:
                out.append(best[2])
                changed = True
        return " ".join(out) if changed else None


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (``limit + 1``) as soon as every path is over ``limit``."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
