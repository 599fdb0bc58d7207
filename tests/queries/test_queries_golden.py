"""Every saved query answers what the interview states, over HTTP, on a real build."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from core.catalogue import Catalogue
from tests.queries.golden import GOLDEN, MDK, Golden, i
from tests.queries.http_support import call, matches, rows
from tests.server.server_support import RunningServer

GRAPH_QUERIES = {"describe-entity"}


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda g: g.id)
def test_golden(queries_server: RunningServer, golden: Golden) -> None:
    answer = call(queries_server, golden.query, golden.params)
    assert answer.status == 200, answer.text
    assert answer.header("content-type") == "application/sparql-results+json; charset=utf-8"
    if golden.boolean is not None:
        assert answer.json()["boolean"] is golden.boolean  # type: ignore[index]
        return
    found = rows(answer)
    for expected in golden.rows:
        assert any(matches(row, expected) for row in found), f"no row matches {expected}"
    for row in found:
        assert matches(row, golden.every_row), f"row {row} breaks {golden.every_row}"
    if golden.count is not None:
        assert len(found) == golden.count, found


def test_every_saved_query_has_a_golden(catalogue: Catalogue) -> None:
    covered = {golden.query for golden in GOLDEN} | GRAPH_QUERIES
    assert covered >= set(catalogue.queries), set(catalogue.queries) - covered
    assert len(catalogue) >= 20


def test_describe_entity_is_a_graph(queries_server: RunningServer) -> None:
    entity = i("jazari-institute-dakhla")
    answer = call(queries_server, "describe-entity", {"entity": entity}, accept="text/turtle")
    assert answer.status == 200, answer.text
    assert answer.header("content-type") == "text/turtle; charset=utf-8"
    triples = list(ox.parse(answer.body, format=ox.RdfFormat.TURTLE))
    assert {t.subject for t in triples} == {ox.NamedNode(entity)}
    stated = {(t.predicate.value, t.object.value) for t in triples}
    assert (MDK + "locatedIn", i("dakhla")) in stated
    assert (MDK + "specialisedIn", i("energy-transition")) in stated


def test_every_example_call_answers(queries_server: RunningServer, catalogue: Catalogue) -> None:
    for saved in catalogue:
        answer = queries_server.request("GET", saved.example_path(), None, {"Accept": "text/csv, text/turtle"})
        assert answer.status == 200, (saved.name, answer.text)
