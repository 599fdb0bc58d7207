"""The value side of a fact: typed literals, texts and dates, checked against the property's range.

A seed writes a value as ``12``, ``{fr: ..., en: ...}`` or ``{gYear: 2030}``; this module says
whether the lexical form is valid for its datatype and what RDF term it becomes. The checks
return a reason instead of raising, so the mapper can collect every problem of a run with its
file and line. Dates become ``mdk:TimeValue`` resources (``graph.temporal``), not literals.
"""

from __future__ import annotations

import re

from rdflib import XSD, Literal, URIRef

from graph.records import EntityRef, FactObject, LangText, TypedValue
from graph.temporal import TEMPORAL_DATATYPES

LEXICAL = {
    "gYear": re.compile(r"-?\d{4}"),
    "gYearMonth": re.compile(r"-?\d{4}-(0[1-9]|1[0-2])"),
    "gMonthDay": re.compile(r"--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "date": re.compile(r"-?\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"),
    "decade": re.compile(r"-?\d{3}0s"),
    "integer": re.compile(r"[+-]?\d+"),
    "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    "boolean": re.compile(r"true|false"),
    "string": re.compile(r"(?s).+"),
}

DATE_FORMS = '{gYear: 2030}, {gYearMonth: "2024-10"}, {date: "2024-10-01"}, {gMonthDay: "--01-12"} or {decade: "2010s"}'


def describe(value: FactObject) -> str:
    """How an error message names a value the seed gave."""
    if isinstance(value, TypedValue):
        return f"the value {value.lexical!r}"
    if isinstance(value, LangText):
        return "a text"
    return repr(value)


def _lexical_reason(value: TypedValue) -> str | None:
    pattern = LEXICAL.get(value.datatype)
    if pattern is None or not pattern.fullmatch(value.lexical):
        kind = "decade like 2010s" if value.datatype == "decade" else f"xsd:{value.datatype}"
        return f"{value.lexical!r} is not a valid {kind}"
    return None


def date_reason(property_name: str, value: FactObject) -> str | None:
    """Why ``value`` cannot be the date of ``property_name``; ``None`` when it can."""
    if not isinstance(value, TypedValue) or value.datatype not in TEMPORAL_DATATYPES:
        return f"{property_name} takes a date: write {DATE_FORMS}, not {describe(value)}"
    return _lexical_reason(value)


def is_year(lexical: str) -> bool:
    return LEXICAL["gYear"].fullmatch(lexical) is not None


def literals(property_name: str, value: FactObject, expected: tuple[URIRef, ...]) -> tuple[list[Literal], str | None]:
    """The literals a datatype property's value stands for, or the reason it cannot stand."""
    if isinstance(value, EntityRef):
        return [], (
            f"{property_name} takes a value: write {{fr: ..., en: ...}} text or a typed value "
            f"like {{gYear: 2030}}, not the bare name {value.name!r}"
        )
    if isinstance(value, LangText):
        return [Literal(text, lang=lang) for lang, text in value.texts], None
    literal, reason = _typed_literal(property_name, value, expected)
    return ([] if literal is None else [literal]), reason


def _typed_literal(
    property_name: str, value: TypedValue, expected: tuple[URIRef, ...]
) -> tuple[Literal | None, str | None]:
    """The typed value, checked against the property's range; xsd:string is written plain (RDF 1.1)."""
    if value.datatype == "decade":
        return None, f"{property_name} takes a literal; a decade is written only as a date (date, horizon...)"
    reason = _lexical_reason(value)
    if reason is not None:
        return None, reason
    datatype = URIRef(str(XSD) + value.datatype)
    if expected and str(expected[0]).startswith(str(XSD)) and expected[0] != datatype:
        wanted = str(expected[0])[len(str(XSD)) :]
        return None, f"{property_name} expects xsd:{wanted}, got xsd:{value.datatype}"
    return (Literal(value.lexical) if datatype == XSD.string else Literal(value.lexical, datatype=datatype)), None
