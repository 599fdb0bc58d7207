"""Calling saved queries over HTTP and reading SPARQL JSON answers as plain rows."""

from __future__ import annotations

import urllib.parse

from tests.queries.golden import Contains
from tests.server.server_support import Answer, RunningServer


def call(server: RunningServer, name: str, params: dict[str, str] | None = None, accept: str | None = None) -> Answer:
    query = urllib.parse.urlencode(params or {})
    headers = {"Accept": accept} if accept else {}
    return server.request("GET", f"/queries/{name}" + (f"?{query}" if query else ""), None, headers)


def rows(answer: Answer) -> list[dict[str, str]]:
    """SPARQL JSON bindings as ``{variable: value}`` (lexical values; language and datatype dropped)."""
    document = answer.json()
    return [{k: v["value"] for k, v in b.items()} for b in document["results"]["bindings"]]  # type: ignore[index]


def matches(row: dict[str, str], expected: dict[str, object]) -> bool:
    for column, wanted in expected.items():
        value = row.get(column)
        if value is None:
            return False
        if isinstance(wanted, Contains):
            if wanted.text.casefold() not in value.casefold():
                return False
        elif value != wanted:
            return False
    return True
