"""The source viewer's model: a document's text cut into segments, each knowing the quotes covering it.

The text is read from the seeds the build used (``manifest.json`` names the file and its SHA-256); quote
offsets are Unicode code points in that text, which is what Python indexes. A text whose hash differs
from the build's is still shown, but without highlights, since the offsets would point at other words.
Sentences the build reported as stating nothing (``stats.json``) are marked with their reason.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.pages.index import Index, QuoteInfo


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text with the same covering quotes (none: unmapped) and, maybe, an uncovered sentence."""

    text: str
    quotes: tuple[str, ...]
    anchors: tuple[str, ...] = ()
    note: str | None = None
    note_kind: str = ""


@dataclass
class Paragraph:
    number: int
    speaker: str | None
    segments: list[Segment]


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


def _segments(line: str, start: int, quotes: list[QuoteInfo], notes: list[dict[str, object]]) -> list[Segment]:
    end = start + len(line)
    inside = [q for q in quotes if q.begin is not None and q.end is not None and q.begin < end and q.end > start]
    marks: list[tuple[int, int, dict[str, object]]] = []
    for note in notes:
        position = line.find(str(note.get("sentence", "")))
        if position >= 0:
            marks.append((start + position, start + position + len(str(note["sentence"])), note))
    cuts = {start, end}
    for quote in inside:
        cuts.update((max(start, quote.begin or start), min(end, quote.end or end)))
    for begin, finish, _ in marks:
        cuts.update((begin, finish))
    ordered = sorted(cuts)
    segments = []
    for left, right in itertools.pairwise(ordered):
        covering = [q for q in inside if (q.begin or 0) <= left and (q.end or 0) >= right]
        anchors = tuple(anchor(q) for q in covering if q.begin == left)
        note = next((m for b, f, m in marks if b <= left and f >= right), {})
        segments.append(
            Segment(
                text=line[left - start : right - start],
                quotes=tuple(anchor(q) for q in covering),
                anchors=anchors,
                note=str(note["reason"]) if note else None,
                note_kind=str(note["kind"]) if note else "",
            )
        )
    return segments


def load_source(seeds_dir: Path, build_dir: Path, doc_iri: str, index: Index, speakers: dict[int, str]) -> SourceText:
    doc_id = doc_iri.rstrip("/").rsplit("/", 1)[-1]
    result = SourceText(document=doc_id, coverage=_coverage(build_dir, doc_id))
    result.notes = _sentence_notes(result.coverage)
    text, result.problem = _read_text(seeds_dir, build_dir, doc_id)
    if text is None:
        return result
    quotes = [] if result.problem else [q for q in index.quotes.values() if q.document == doc_iri]
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        notes = [n for n in result.notes if n.get("paragraph") == number]
        if line.strip():
            segments = _segments(line, offset, quotes, notes)
            result.paragraphs.append(Paragraph(number, speakers.get(number), segments))
        offset += len(line) + 1
    return result
