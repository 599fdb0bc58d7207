"""Positions in a source text: paragraphs, sentences, and where a quote stands.

Offsets are Python string indices, i.e. Unicode code points, which is what the
ontology's ``mdk:beginIndex``/``mdk:endIndex`` promise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ? ! or … followed by spaces and an upper-case letter, a digit or an
# opening quote; "ex." (for example) is not an end.
_SENTENCE_END = re.compile(r"(?<!\bex\.)(?<=[.?!…])\s+(?=[\"«“A-ZÀ-ÖØ-Þ0-9])")


@dataclass(frozen=True)
class Span:
    begin: int
    end: int


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    begin: int
    end: int
    text: str


def paragraph_spans(text: str) -> dict[int, Span]:
    """Each non-empty line of the text, numbered from 1, with its offsets."""
    spans: dict[int, Span] = {}
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.rstrip("\r")
        if stripped.strip():
            spans[number] = Span(offset, offset + len(stripped))
        offset += len(line) + 1
    return spans


def paragraph_of(text: str, offset: int) -> int:
    """The 1-based line number holding the offset."""
    return text.count("\n", 0, offset) + 1


def sentences(text: str) -> list[Sentence]:
    """Split every paragraph into sentences (a heuristic good enough for coverage)."""
    found: list[Sentence] = []
    for number, span in paragraph_spans(text).items():
        paragraph = text[span.begin : span.end]
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            found.append(_sentence(number, span.begin, paragraph, start, match.start()))
            start = match.end()
        found.append(_sentence(number, span.begin, paragraph, start, len(paragraph)))
    return [s for s in found if s.text]


def _sentence(number: int, base: int, paragraph: str, start: int, end: int) -> Sentence:
    """The sentence between ``start`` and ``end``, its offsets narrowed to its stripped words."""
    raw = paragraph[start:end]
    words = raw.strip()
    begin = start + (len(raw) - len(raw.lstrip()))
    return Sentence(number, base + begin, base + begin + len(words), words)


def find_quote(text: str, quote: str, paragraph: int | None, occurrence: int | None) -> tuple[Span | None, str]:
    """Locate a verbatim quote; returns the span, or None and the reason it was not placed."""
    window = Span(0, len(text))
    if paragraph is not None:
        spans = paragraph_spans(text)
        if paragraph not in spans:
            return None, f"paragraph {paragraph} does not exist or is empty"
        window = spans[paragraph]
    where = f"paragraph {paragraph}" if paragraph is not None else "the source"
    hits = []
    start = window.begin
    while (index := text.find(quote, start, window.end)) != -1:
        hits.append(index)
        start = index + 1
    if not hits:
        return None, f"quote not found verbatim in {where}: {_near_miss(text[window.begin : window.end], quote)}"
    if occurrence is None and len(hits) > 1:
        return None, (f"quote found {len(hits)} times in {where}; add 'occurrence: N' or a longer quote")
    if occurrence is not None and occurrence > len(hits):
        return None, f"occurrence {occurrence} asked but the quote occurs {len(hits)} time(s) in {where}"
    begin = hits[(occurrence or 1) - 1]
    return Span(begin, begin + len(quote)), ""


def _near_miss(window: str, quote: str) -> str:
    """Say where the quote stops matching, the usual cause being a straight vs curly apostrophe."""
    best = 0
    for size in range(len(quote), 0, -1):
        if quote[:size] in window:
            best = size
            break
    if best == 0:
        return f"{quote[:60]!r}"
    return (
        f"matches up to {quote[:best][-30:]!r}, then the source has "
        f"{window[window.find(quote[:best]) + best :][:20]!r} where the quote has {quote[best : best + 20]!r}"
    )
