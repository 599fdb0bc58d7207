"""Hostile parameter values, per parameter type: a 400 naming the parameter, or results within the intent.

The corpus is data; each value is tried against one parameter of every type the catalogue uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox
import pytest

from core.parameters import Parameter, ParameterError
from tests.queries.golden import ID
from tests.queries.http_support import call, rows
from tests.server.server_support import RunningServer

CORPUS = (
    '"',
    "'",
    ">",
    "<",
    "}",
    "{",
    "#",
    "\\",
    "\\u0022",
    '\\"',
    "\\u0022) } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #",
    "\n",
    "a\r\nb",
    "x" * 5000,
    '") } ?s ?p ?o } #',
    '" . } UNION { ?s ?p ?o } #',
    "> ?p ?o } UNION { ?s ?p ?o",
    ID + "morocco> ?p ?o } UNION { ?s ?p ?o",
    ID + "morocco>",
    ID + "morocco\t",
    "https://evil.example/%3E%7D",
    "javascript:alert(1)",
    "file:///etc/passwd",
    "SELECT * WHERE { ?s ?p ?o }",
    "11 } UNION { ?s ?p ?o",
    '2032"^^<http://www.w3.org/2001/XMLSchema#string>',
    'en") } #',
    "\x00",
    "",
)


@dataclass(frozen=True)
class Target:
    """One parameter to attack, with the intent its query must keep."""

    query: str
    parameter: str
    base: tuple[tuple[str, str], ...] = ()
    intent: Literal["refused_or_empty", "contains"] = "refused_or_empty"
    column: str = ""


TARGETS = (
    Target("entity", "entity"),  # IRI, required
    Target("competitors", "country"),  # IRI with a default
    Target("figures", "unit"),  # IRI enumeration
    Target("initiatives", "lang"),  # string enumeration
    Target("paragraph", "paragraph"),  # xsd:integer
    Target("horizons", "year"),  # xsd:gYear
    Target("quotes-search", "text", intent="contains", column="quote"),  # free text
    Target("find-entity", "name", intent="contains", column="matched"),  # free text
)


@pytest.mark.parametrize("value", CORPUS, ids=lambda v: repr(v[:24]))
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: f"{t.query}.{t.parameter}")
def test_hostile_value(queries_server: RunningServer, target: Target, value: str) -> None:
    answer = call(queries_server, target.query, {**dict(target.base), target.parameter: value})
    assert answer.status in (200, 400), answer.text
    if answer.status == 400:
        assert f"parameter '{target.parameter}'" in answer.text
        return
    found = rows(answer)
    if value == "":
        return  # an empty value is the same as no value: a missing required one is a 400 above
    if target.intent == "contains":
        assert all(value.casefold() in row[target.column].casefold() for row in found), found
    else:
        assert found == [], found


STRING = Parameter(name="text", variable="?_text", required=True, kind="string")


@pytest.mark.parametrize("value", [v for v in CORPUS if v not in ("\x00", "x" * 5000)], ids=repr)
def test_string_terms_round_trip(value: str) -> None:
    """Whatever the text, the bound literal is exactly that text: escaping never leaks into syntax."""
    term = STRING.term(value)
    result = list(ox.Store().query(f"SELECT ?v WHERE {{ VALUES (?v) {{ ({term}) }} }}"))  # type: ignore[arg-type]
    assert len(result) == 1 and result[0]["v"] == ox.Literal(value)


@pytest.mark.parametrize("kind", ["iri", "integer", "decimal", "date", "gYear", "gYearMonth", "boolean", "number"])
@pytest.mark.parametrize("value", [v for v in CORPUS if v not in ("", ID + "morocco")], ids=lambda v: repr(v[:24]))
def test_typed_parameters_refuse_hostile_values(kind: str, value: str) -> None:
    parameter = Parameter(name="p", variable="?_p", required=True, kind=kind)
    if kind == "iri" and value == "https://evil.example/%3E%7D":
        assert parameter.term(value) == f"<{value}>"  # a valid IRI: bound as one IRI, no syntax
        return
    with pytest.raises(ParameterError, match="parameter 'p'"):
        parameter.term(value)
