"""Literal values as a reader expects them: ``--01-12`` (xsd:gMonthDay) as "12 January" / "12 janvier",
``2024-03-05`` as "5 March 2024", ``2024-03`` as "March 2024"; numbers grouped by thousands."""

from __future__ import annotations

import re

from server.pages.terms import XSD, Term

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
_PATTERNS = {
    XSD + "gMonthDay": re.compile(r"--(?P<month>\d\d)-(?P<day>\d\d)"),
    XSD + "date": re.compile(r"(?P<year>-?\d{4,})-(?P<month>\d\d)-(?P<day>\d\d)"),
    XSD + "gYearMonth": re.compile(r"(?P<year>-?\d{4,})-(?P<month>\d\d)"),
}


def readable_time(lexical: str, lang: str) -> str:
    """A time value's label (its date as the seeds write it: ``--01-12``, ``2024-10``, ``2030``) in words."""
    for datatype in (XSD + "gMonthDay", XSD + "date", XSD + "gYearMonth"):
        words = readable(Term(kind="literal", value=lexical, datatype=datatype), lang)
        if words is not None:
            return words
    return lexical


def readable(term: Term, lang: str) -> str | None:
    """The value in words for a date-like literal (``None`` when it is not one, or not well formed)."""
    pattern = _PATTERNS.get(term.datatype)
    match = pattern.fullmatch(term.value) if pattern else None
    if match is None:
        return None
    parts = match.groupdict()
    month = int(parts["month"])
    if not 1 <= month <= 12:
        return None
    words = [MONTHS.get(lang, MONTHS["en"])[month - 1]]
    if parts.get("day"):
        day = int(parts["day"])
        words.insert(0, "1er" if lang == "fr" and day == 1 else str(day))
    if parts.get("year"):
        words.append(parts["year"])
    return " ".join(words)
