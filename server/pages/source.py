"""The source viewer's model: a document's text cut into segments, each knowing the quotes covering it.

The text is read from the seeds the build used (``manifest.json`` names the file and its SHA-256); quote
offsets are Unicode code points in that text, which is what Python indexes. A text whose hash differs
from the build's is still shown, but without highlights, since the offsets would point at other words.
Sentences the build reported as stating nothing (``stats.json``) are marked with their reason.

The text is cut at the build's own sentence spans (the ``mdk:Sentence`` resources every quote lies in,
and the offsets ``stats.json`` gives the other sentences), so each sentence a quote lies in is an element
``s-<begin>-<end>`` of the page: the sentence's IRI and its place in the viewer name the same characters.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.pages.index import Index, QuoteInfo, SentenceSpan


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text with the same covering quotes (none: unmapped) and, maybe, an uncovered sentence."""

    text: str
    quotes: tuple[str, ...]
    anchors: tuple[str, ...] = ()
    note: str | None = None
    note_kind: str = ""


@dataclass(frozen=True, slots=True)
class Run:
    """The segments of one sentence of the graph (``sentence`` is its anchor), or of text between them."""

    sentence: str | None
    segments: tuple[Segment, ...]


@dataclass
class Paragraph:
    number: int
    speaker: str | None
    runs: list[Run]


@dataclass
class SourceText:
    """What the viewer renders; ``problem`` explains a missing text or missing highlights."""

    document: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    notes: list[dict[str, object]] = field(default_factory=list)
    coverage: dict[str, object] = field(default_factory=dict)
    problem: str | None = None


def anchor(quote: QuoteInfo) -> str:
    """The fragment id of a quote in the viewer: ``q-<begin>-<end>``."""
    return f"q-{quote.begin}-{quote.end}"


def sentence_anchor(sentence: SentenceSpan) -> str:
    """The fragment id of a sentence in the viewer: ``s-<begin>-<end>``, the offsets of its IRI."""
    return f"s-{sentence.begin}-{sentence.end}"


def _manifest(build_dir: Path) -> dict[str, Any]:
    try:
        return json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _coverage(build_dir: Path, doc_id: str) -> dict[str, Any]:
    try:
        stats = json.loads((build_dir / "stats.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stats.get("coverage", {}).get(doc_id, {})


def _read_text(seeds_dir: Path, build_dir: Path, doc_id: str) -> tuple[str | None, str | None]:
    """The text and a problem (or ``None``) for document ``doc_id``."""
    entry = _manifest(build_dir).get("documents", {}).get(doc_id)
    if not entry:
        return None, "the build does not list this document's text"
    path = seeds_dir / entry["text"]
    try:
        raw = path.read_bytes()
    except OSError:
        return None, f"the source text {entry['text']} is not available on this server"
    text = raw.decode("utf-8")
    if entry.get("sha256") and hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        return text, "the text changed since the last build: highlights are left out until the next build"
    return text, None


def _sentence_notes(coverage: dict[str, Any]) -> list[dict[str, object]]:
    notes = [{**n, "kind": "not-factual"} for n in coverage.get("not_factual", [])]
    notes += [
        {**n, "kind": "uncovered", "reason": "states something no quote maps"} for n in coverage.get("uncovered", [])
    ]
    return notes


def _note_span(line: str, start: int, note: dict[str, object]) -> tuple[int, int] | None:
    """Where a listed sentence stands: the build's offsets, or (stats of an older build) its first match."""
    begin, end = note.get("begin"), note.get("end")
    if isinstance(begin, int) and isinstance(end, int):
        return begin, end
    position = line.find(str(note.get("sentence", "")))
    return (start + position, start + position + len(str(note["sentence"]))) if position >= 0 else None


def _segments(
    line: str,
    start: int,
    quotes: list[QuoteInfo],
    notes: list[dict[str, object]],
    sentences: list[SentenceSpan],
) -> list[Run]:
    """The line cut at every quote, note and sentence boundary, grouped by the graph sentence of each cut."""
    end = start + len(line)
    inside = [q for q in quotes if q.begin is not None and q.end is not None and q.begin < end and q.end > start]
    marks = [(*span, note) for note in notes if (span := _note_span(line, start, note)) is not None]
    spans = [s for s in sentences if s.begin < end and s.end > start]
    cuts = {start, end}
    for quote in inside:
        cuts.update((max(start, quote.begin or start), min(end, quote.end or end)))
    for begin, finish, _ in marks:
        cuts.update((begin, finish))
    for graph_sentence in spans:
        cuts.update((max(start, graph_sentence.begin), min(end, graph_sentence.end)))
    keyed: list[tuple[str | None, Segment]] = []
    for left, right in itertools.pairwise(sorted(cuts)):
        covering = [q for q in inside if (q.begin or 0) <= left and (q.end or 0) >= right]
        anchors = tuple(anchor(q) for q in covering if q.begin == left)
        note = next((m for b, f, m in marks if b <= left and f >= right), {})
        segment = Segment(
            text=line[left - start : right - start],
            quotes=tuple(anchor(q) for q in covering),
            anchors=anchors,
            note=str(note["reason"]) if note else None,
            note_kind=str(note["kind"]) if note else "",
        )
        within = next((s for s in spans if s.begin <= left and s.end >= right), None)
        keyed.append((None if within is None else sentence_anchor(within), segment))
    grouped = itertools.groupby(keyed, key=lambda pair: pair[0])
    return [Run(key, tuple(segment for _, segment in group)) for key, group in grouped]


def load_source(seeds_dir: Path, build_dir: Path, doc_iri: str, index: Index, speakers: dict[int, str]) -> SourceText:
    doc_id = doc_iri.rstrip("/").rsplit("/", 1)[-1]
    result = SourceText(document=doc_id, coverage=_coverage(build_dir, doc_id))
    result.notes = _sentence_notes(result.coverage)
    text, result.problem = _read_text(seeds_dir, build_dir, doc_id)
    if text is None:
        return result
    quotes = [] if result.problem else [q for q in index.quotes.values() if q.document == doc_iri]
    spans = [] if result.problem else [s for s in index.sentences.values() if s.document == doc_iri]
    if result.problem:  # the offsets point into the text the build read, not this one
        result.notes = [{k: v for k, v in note.items() if k not in ("begin", "end")} for note in result.notes]
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        notes = [n for n in result.notes if n.get("paragraph") == number]
        if line.strip():
            runs = _segments(line, offset, quotes, notes, spans)
            result.paragraphs.append(Paragraph(number, speakers.get(number), runs))
        offset += len(line) + 1
    return result
