"""Dates as OWL 2-valid time values: the precision the source gives, and bounds SPARQL can compare.

The seeds state dates as precisely as the interview does: a year (``{gYear: 2030}``), a month
(``{gYearMonth: "2024-10"}``), a day (``{date: ...}``), a day of a year the text does not give
(``{gMonthDay: "--01-12"}``), or a decade (``{decade: "2010s"}``, "dans les années 2010"). None of
the XSD datatypes is in the OWL 2 datatype map (and XSD has none for a decade), so a graph holding
them as literals is not OWL 2 DL: HermiT (and Protégé with it) refuses the whole file.
``xsd:dateTime`` is in the map but claims a precision the source does not have.

So each date becomes a resource of its own, ``mdk:TimeValue``, one per stated value (IRI
``id/time/2030``, ``id/time/2024-10``...), carrying:

- ``mdk:precision``: ``mdk:PrecisionDay``, ``mdk:PrecisionMonth``, ``mdk:PrecisionYear``,
  ``mdk:PrecisionDecade`` or ``mdk:PrecisionMonthDay`` (a day whose year is not stated);
- ``mdk:earliest`` and ``mdk:latest``: the first and last second of the period, as ``xsd:dateTime``
  (no time zone: the source gives none), for ``<``/``>`` in SPARQL and data ranges in OWL; a
  month-day without a year has no bounds;
- ``mdk:year``, ``mdk:month``, ``mdk:day``: the parts the source states, as ``xsd:integer`` (a
  decade states no single year, so it has bounds but no ``mdk:year``);
- ``rdfs:label``: the value as written in the seeds (``2030``, ``2024-10``, ``--01-12``), for display.
"""

from __future__ import annotations

import calendar

from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef

from graph.iris import Iris

TEMPORAL_DATATYPES = ("date", "gYearMonth", "gYear", "decade", "gMonthDay")

_PRECISION = {
    "date": "PrecisionDay",
    "gYearMonth": "PrecisionMonth",
    "gYear": "PrecisionYear",
    "decade": "PrecisionDecade",
    "gMonthDay": "PrecisionMonthDay",
}

Triple = tuple[URIRef, URIRef, object]


def _parts(datatype: str, lexical: str) -> tuple[int | None, int | None, int | None]:
    """The year, month and day the value states; a decade states none of them."""
    if datatype == "decade":
        return None, None, None
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
    bounds = _bounds(datatype, lexical, year, month, day)
    if bounds is not None:
        triples.append((node, mdk.earliest, bounds[0]))
        triples.append((node, mdk.latest, bounds[1]))
    return node, triples


def _bounds(
    datatype: str, lexical: str, year: int | None, month: int | None, day: int | None
) -> tuple[Literal, Literal] | None:
    """The first and last second of the period; ``None`` for a day whose year is not stated."""
    if datatype == "decade":
        first_year = int(lexical[:-1])
        return _instant(first_year, 1, 1, end=False), _instant(first_year + 9, 12, 31, end=True)
    if year is None:
        return None
    first_month, last_month = (month, month) if month is not None else (1, 12)
    last_day = day if day is not None else calendar.monthrange(year if year > 0 else 2000, last_month)[1]
    return _instant(year, first_month, day or 1, end=False), _instant(year, last_month, last_day, end=True)
