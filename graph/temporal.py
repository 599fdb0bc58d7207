"""Dates as OWL 2-valid time values: the precision the source gives, and bounds SPARQL can compare.

The seeds state dates as precisely as the interview does: a year (``{gYear: 2030}``), a month
(``{gYearMonth: "2024-10"}``), a day (``{date: ...}``), or a day of a year the text does not give
(``{gMonthDay: "--01-12"}``). None of those XSD datatypes is in the OWL 2 datatype map, so a graph
holding them as literals is not OWL 2 DL: HermiT (and Protégé with it) refuses the whole file.
``xsd:dateTime`` is in the map but claims a precision the source does not have.

So each date becomes a resource of its own, ``mdk:TimeValue``, one per stated value (IRI
``id/time/2030``, ``id/time/2024-10``...), carrying:

- ``mdk:precision``: ``mdk:PrecisionDay``, ``mdk:PrecisionMonth``, ``mdk:PrecisionYear`` or
  ``mdk:PrecisionMonthDay`` (a day whose year is not stated);
- ``mdk:earliest`` and ``mdk:latest``: the first and last second of the period, as ``xsd:dateTime``
  (no time zone: the source gives none), for ``<``/``>`` in SPARQL and data ranges in OWL; a
  month-day without a year has no bounds;
- ``mdk:year``, ``mdk:month``, ``mdk:day``: the parts the source states, as ``xsd:integer``;
- ``rdfs:label``: the value as written in the seeds (``2030``, ``2024-10``, ``--01-12``), for display.
"""

from __future__ import annotations

import calendar

from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef

from graph.iris import Iris

TEMPORAL_DATATYPES = ("date", "gYearMonth", "gYear", "gMonthDay")

_PRECISION = {
    "date": "PrecisionDay",
    "gYearMonth": "PrecisionMonth",
    "gYear": "PrecisionYear",
    "gMonthDay": "PrecisionMonthDay",
}

Triple = tuple[URIRef, URIRef, object]


def _parts(datatype: str, lexical: str) -> tuple[int | None, int | None, int | None]:
    if datatype == "gMonthDay":
        month_text, day_text = lexical[2:].split("-")
        return None, int(month_text), int(day_text)
    if datatype == "gYear":
        return int(lexical), None, None
    sign = -1 if lexical.startswith("-") else 1
    pieces = lexical.lstrip("-").split("-")
    year = sign * int(pieces[0])
    month = int(pieces[1])
    day = int(pieces[2]) if len(pieces) > 2 else None
    return year, month, day


def _instant(year: int, month: int, day: int, end: bool) -> Literal:
    clock = "23:59:59" if end else "00:00:00"
    sign = "-" if year < 0 else ""
    return Literal(f"{sign}{abs(year):04d}-{month:02d}-{day:02d}T{clock}", datatype=XSD.dateTime)


def time_value(iris: Iris, mdk: Namespace, datatype: str, lexical: str) -> tuple[URIRef, list[Triple]]:
    """The time value's IRI and its description, for a lexical form already checked against ``datatype``."""
    node = iris.entity(f"time/{lexical}")
    year, month, day = _parts(datatype, lexical)
    triples: list[Triple] = [
        (node, RDF.type, mdk.TimeValue),
        (node, RDFS.label, Literal(lexical)),
        (node, mdk.precision, mdk[_PRECISION[datatype]]),
    ]
    for name, part in (("year", year), ("month", month), ("day", day)):
        if part is not None:
            triples.append((node, mdk[name], Literal(part, datatype=XSD.integer)))
    if year is not None:
        first_month, last_month = (month, month) if month is not None else (1, 12)
        last_day = day if day is not None else calendar.monthrange(year if year > 0 else 2000, last_month)[1]
        triples.append((node, mdk.earliest, _instant(year, first_month, day or 1, end=False)))
        triples.append((node, mdk.latest, _instant(year, last_month, last_day, end=True)))
    return node, triples
