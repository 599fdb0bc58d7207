"""Content negotiation: which serialisation answers a request, from ``Accept`` and the format parameters.

Kept free of Flask so it can be tested on plain strings. Clients disagree on how they ask: browsers and
YASGUI send ``Accept`` lists with quality values, SPARQLWrapper always adds ``format``, ``output`` and
``results`` parameters (``json``, ``xml``, ``turtle``, ``n3``, ``rdf+xml``, ``json-ld``...), some send a
media type in ``format``. The precedence, in order:

1. A parameter naming a known format wins over ``Accept``, with one exception: when ``Accept`` names
   exactly (no wildcard, q > 0) a concrete format that the parameter's format family covers, the
   ``Accept`` type wins. The families are syntax inclusions: N-Triples is Turtle is N3, so
   ``format=n3`` or ``format=turtle`` with ``Accept: application/n-triples`` answers N-Triples.
   SPARQLWrapper has no N-Triples constant: its users set ``N3`` and a custom ``Accept``, and it
   then sends ``format=n3`` as well; the client asked for both, and N-Triples satisfies both.
2. An unknown parameter is ignored; a known one that does not suit the query form (``format=csv`` on
   a CONSTRUCT) yields no format (406).
3. Otherwise ``Accept`` decides: the highest quality, then the most specific range, then the
   order of the list of formats (the first is the default for ``*/*``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from server.evaluation import OutputFormat

FORMAT_PARAMETERS = ("format", "output", "results")


@dataclass(frozen=True, slots=True)
class Format:
    """A serialisation the endpoint can produce, with the names clients use for it."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    def output(self) -> OutputFormat:
        return OutputFormat(name=self.name, content_type=self.content_type)

    def answers_to(self, key: str) -> bool:
        return key in self.keys or key == self.media_type or key in self.aliases


RESULT_FORMATS = (
    Format("JSON", "application/sparql-results+json", ("application/json",), ("json", "srj")),
    Format("XML", "application/sparql-results+xml", ("application/xml", "text/xml"), ("xml", "srx")),
    Format("CSV", "text/csv", (), ("csv",)),
    Format("TSV", "text/tab-separated-values", (), ("tsv",)),
)
GRAPH_FORMATS = (
    Format("TURTLE", "text/turtle", ("application/x-turtle", "application/turtle"), ("turtle", "ttl")),
    Format("N_TRIPLES", "application/n-triples", ("text/plain",), ("ntriples", "n-triples", "nt")),
    Format("RDF_XML", "application/rdf+xml", ("application/xml", "text/xml"), ("rdf+xml", "rdfxml", "rdf", "xml")),
    Format("JSON_LD", "application/ld+json", ("application/json",), ("json-ld", "jsonld", "json")),
    Format("N_QUADS", "application/n-quads", (), ("nquads", "n-quads", "nq")),
    Format("TRIG", "application/trig", (), ("trig",)),
    Format("N3", "text/n3", ("text/rdf+n3", "application/n3"), ("n3",)),
)
HTML = Format("HTML", "text/html", ("application/xhtml+xml",), ("html",))


@dataclass(frozen=True, slots=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    kind: str
    subtype: str
    quality: float

    def specificity(self, media_type: str) -> int:
        """How precisely this range names ``media_type``: 3 exact, 2 ``type/*``, 1 ``*/*``, 0 not at all."""
        kind, _, subtype = media_type.partition("/")
        if self.kind == "*":
            return 1
        if self.kind != kind:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == subtype else 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an ``Accept`` header; malformed entries are skipped, a missing header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0)]
    ranges = []
    for entry in header.split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        ranges.append(MediaRange(kind, subtype, _quality(params)))
    return ranges


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(1.0, max(0.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def quality_of(fmt: Format, ranges: list[MediaRange]) -> float:
    """Quality the client gives to ``fmt``: the most specific range naming its media type wins.

    Aliases (``application/json`` for SPARQL JSON results) count only when named exactly, so that a
    wildcard such as ``text/*`` never selects a format whose real media type it does not cover.
    """
    matching = [(r.specificity(fmt.media_type), r.quality) for r in ranges if r.specificity(fmt.media_type)]
    best = max(matching)[1] if matching else 0.0
    for alias in fmt.aliases:
        exact = [r.quality for r in ranges if r.specificity(alias) == 3]
        if exact:
            best = max(best, max(exact))
    return best


def choose(formats: tuple[Format, ...], accept: str | None, parameter: str | None = None) -> Format | None:
    """The format to answer with, or ``None`` when the client accepts none of ``formats``.

    Always one of the caller's own objects: the memo below is keyed on formats that are equal by value, so
    two views with equal ``Format`` constants would otherwise get each other's object back, and a view
    testing ``chosen is ITS_JSON`` would silently answer HTML.
    """
    chosen = _choose(formats, accept, parameter)
    return None if chosen is None else formats[formats.index(chosen)]


@functools.lru_cache(maxsize=256)  # pure, and clients send the same few Accept headers again and again
def _choose(formats: tuple[Format, ...], accept: str | None, parameter: str | None = None) -> Format | None:
    if parameter:
        key = parameter.strip().lower()
        chosen = next((f for f in formats if f.answers_to(key)), None)
        if chosen is not None:
            return _within_family(chosen, formats, accept)
        if _known_elsewhere(key):
            return None
    ranges = parse_accept(accept)
    scored = [(quality_of(f, ranges), -index, f) for index, f in enumerate(formats)]
    quality, _, chosen = max(scored, key=lambda item: (item[0], item[1]))
    return chosen if quality > 0 else None


@functools.lru_cache(maxsize=256)
def prefers_html(accept: str | None) -> bool:
    """Is this a browser asking for a page? ``text/html`` (or XHTML) listed first, at the top quality.

    Browsers send ``text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8``, which the quality
    rules alone would also let SPARQL XML satisfy; SPARQL clients (SPARQLWrapper, YASGUI, Comunica, curl)
    never list HTML first, so they keep getting what they ask for.
    """
    ranges = parse_accept(accept)
    if not accept or not ranges:
        return False
    first = ranges[0]
    is_html = (first.kind, first.subtype) in (("text", "html"), ("application", "xhtml+xml"))
    return is_html and first.quality > 0 and first.quality >= max(r.quality for r in ranges)


# A format's family: the concrete syntaxes it includes (every N-Triples document is Turtle, and N3).
FAMILIES: dict[str, tuple[str, ...]] = {
    "N3": ("TURTLE", "N_TRIPLES"),
    "TURTLE": ("N_TRIPLES",),
}


def _within_family(chosen: Format, formats: tuple[Format, ...], accept: str | None) -> Format:
    """``chosen`` (from the parameter), unless ``Accept`` names exactly a stricter syntax of its family."""
    members = [f for f in formats if f.name in FAMILIES.get(chosen.name, ())]
    if not members or not accept:
        return chosen
    ranges = parse_accept(accept)

    def exact(fmt: Format) -> float:
        return max((r.quality for r in ranges if r.specificity(fmt.media_type) == 3), default=0.0)

    best = max(members, key=exact)
    return best if exact(best) > 0 and exact(best) > exact(chosen) else chosen


def _known_elsewhere(key: str) -> bool:
    return any(f.answers_to(key) for f in (*RESULT_FORMATS, *GRAPH_FORMATS, HTML))


def format_parameter(values: dict[str, str]) -> str | None:
    """The first of the ``format``/``output``/``results`` parameters a client sent."""
    return next((values[name] for name in FORMAT_PARAMETERS if values.get(name)), None)
