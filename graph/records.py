"""The seed records: what a seed file says, located at its file and line.

``graph.seeds`` reads the YAML into these records and checks their shape; ``graph.mapping``
turns them into RDF. They are plain frozen dataclasses, so both sides (and the statistics
and link checks) share one vocabulary of records without importing the reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from core.errors import Problem

LANGUAGES = ("fr", "en")
ENTITY_KEYS = {"id", "class", "label", "alt", "description", "broader"}
FIGURE_KEYS = {"id", "label", "value", "unit", "year", "approximate", "stated_as", "description"}
CLAIM_KEYS = {"quote", "paragraph", "occurrence", "facts", "entities", "figures", "note", "evidence", "according_to"}
QUALIFIER_KEYS = {"evidence", "according_to", "field"}
DOCUMENT_KEYS = {
    "id",
    "text",
    "title",
    "language",
    "kind",
    "publisher",
    "interviewer",
    "interviewee",
    "speakers",
    "not_factual",
}
DATATYPES = ("gYear", "gYearMonth", "gMonthDay", "date", "decade", "integer", "decimal", "boolean", "string")


@dataclass(frozen=True)
class Located:
    file: Path
    line: int | None

    def problem(self, reason: str) -> Problem:
        return Problem(self.file, self.line, reason)


@dataclass(frozen=True)
class EntityRef:
    """The object of a fact that names an entity (seed id) or an ontology individual."""

    name: str


@dataclass(frozen=True)
class TypedValue:
    """A literal with an XSD datatype local name (``gYear``, ``decimal``...)."""

    lexical: str
    datatype: str


@dataclass(frozen=True)
class LangText:
    """Language-tagged text, one string per language."""

    texts: tuple[tuple[str, str], ...]


FactObject = EntityRef | TypedValue | LangText


@dataclass(frozen=True)
class FactSpec(Located):
    """One triple, with optional qualifiers of its reified fact.

    ``evidence`` and ``according_to`` override the claim's (how firmly, and on whose word,
    the source states it); ``field`` is the theme the fact holds in (``mdk:inField``).
    """

    subject: str
    property: str
    object: FactObject
    evidence: str | None = None
    according_to: str | None = None
    field: str | None = None


@dataclass(frozen=True)
class EntitySpec(Located):
    id: str
    classes: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    alt_labels: tuple[tuple[str, str], ...] = ()
    descriptions: tuple[tuple[str, str], ...] = ()
    broader: str | None = None


@dataclass(frozen=True)
class FigureSpec(Located):
    id: str
    labels: tuple[tuple[str, str], ...]
    value: str
    unit: str
    year: str | None = None
    approximate: bool | None = None
    stated_as: str | None = None
    descriptions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ClaimSpec(Located):
    quote: str
    paragraph: int | None
    occurrence: int | None
    facts: tuple[FactSpec, ...]
    entities: tuple[EntitySpec, ...]
    figures: tuple[FigureSpec, ...]
    evidence: str | None = None
    according_to: str | None = None


@dataclass(frozen=True)
class NotFactual(Located):
    sentence: str
    reason: str


@dataclass(frozen=True)
class DocumentSpec(Located):
    id: str
    directory: Path
    text_file: Path
    text: str
    title: str
    language: str
    kind: str
    publisher: str | None
    interviewer: str | None
    interviewee: str | None
    speakers: dict[int, str]
    not_factual: list[NotFactual]
    claims: list[ClaimSpec] = field(default_factory=list)


@dataclass
class Seeds:
    entities: list[EntitySpec]
    documents: list[DocumentSpec]
