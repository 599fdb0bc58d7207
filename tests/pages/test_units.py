"""The pure parts of the pages: path resolution and the source segments."""

from __future__ import annotations

from server.pages.index import QuoteInfo, SentenceSpan
from server.pages.resolve import candidates, local_path, resolve
from server.pages.source import _segments

BASE = "https://example.org/kg/"


def test_suffix_is_a_format_only_when_the_shorter_iri_exists() -> None:
    known = {BASE + "id/a", BASE + "fact/d/a.worksWith.123"}
    target = resolve(BASE, "id/a.ttl", known.__contains__)
    assert target is not None and target.iri == BASE + "id/a" and target.suffix_format is not None
    fact = resolve(BASE, "fact/d/a.worksWith.123", known.__contains__)
    assert fact is not None and fact.suffix_format is None
    assert resolve(BASE, "id/missing", known.__contains__) is None
    assert candidates(BASE, "id/with space") == []
    assert local_path(BASE, BASE + "id/a") == "/id/a"
    assert local_path(BASE, "http://other.example/x") is None


def test_overlapping_quotes_cut_the_text_into_segments() -> None:
    first = QuoteInfo("q1", "abc", 10, 13, 1, "d", None)
    second = QuoteInfo("q2", "cde", 12, 15, 1, "d", None)
    runs = _segments("abcdefg", 10, [first, second], [{"sentence": "fg", "reason": "why", "kind": "uncovered"}], [])
    segments = [segment for run in runs for segment in run.segments]
    assert [s.text for s in segments] == ["ab", "c", "de", "fg"]
    assert segments[1].quotes == ("q-10-13", "q-12-15")
    assert segments[0].anchors == ("q-10-13",) and segments[1].anchors == ("q-12-15",)
    assert segments[3].note == "why"


def test_the_viewer_cuts_at_the_graphs_sentence_spans_and_the_builds_offsets() -> None:
    """A sentence of the graph is one run named by its offsets; a listed sentence is placed by its offsets."""
    quote = QuoteInfo("q1", "cd", 12, 14, 1, "d", None)
    sentence = SentenceSpan("s", "d", 11, 15)
    note = {"sentence": "ab", "reason": "aside", "kind": "not-factual", "begin": 15, "end": 17}
    runs = _segments("abcdefgab", 10, [quote], [note], [sentence])
    assert [(run.sentence, "".join(s.text for s in run.segments)) for run in runs] == [
        (None, "a"),
        ("s-11-15", "bcde"),
        (None, "fgab"),
    ]
    noted = [s for run in runs for s in run.segments if s.note]
    assert [s.text for s in noted] == ["fg"], "the offsets win over the first match of the words"
