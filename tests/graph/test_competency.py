"""Competency questions: what a reader of the interview asks, as SPARQL, with the answer the text gives.

The questions live in ``competency.yaml`` (data, reviewable without Python). Each runs on
the built graph through Oxigraph, with the default graph as the union of the named
graphs, exactly as on the endpoint. ``expect`` rows must all be present (``contains``) or
be exactly the answer (``exact``); IRIs are written ``kg:id`` or ``mdk:Term``.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from core.settings import Settings
from graph.build import BuildResult
from graph.dumps import FORMATS

QUESTIONS = yaml.safe_load((Path(__file__).parent / "competency.yaml").read_text(encoding="utf-8"))
BASE = "https://w3id.org/morocco-digital-kg/"
PREFIXES = {
    "kg": BASE + "id/",
    "mdk": BASE + "ontology/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
}
HEADER = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


@pytest.fixture(scope="module")
def store(built: tuple[BuildResult, dict, Settings]) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(built[2].build_dir / FORMATS["nquads"].file), format=ox.RdfFormat.N_QUADS)
    return store


def _short(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        for prefix, iri in PREFIXES.items():
            if term.value.startswith(iri):
                return f"{prefix}:{term.value[len(iri) :]}"
        return term.value
    return term.value


def _rows(store: ox.Store, query: str) -> list[dict[str, str | None]] | bool:
    result = store.query(HEADER + query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return [{name: _short(row[name]) for name in names} for row in result]


def test_questions_are_well_formed() -> None:
    ids = [q["id"] for q in QUESTIONS]
    assert len(ids) == len(set(ids)), "duplicate question ids"
    assert len(QUESTIONS) >= 30
    for question in QUESTIONS:
        assert {"id", "question", "query", "expect"} <= set(question), question.get("id")
        assert question.get("match", "contains") in {"contains", "exact"}


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_competency_question(store: ox.Store, question: dict) -> None:
    answer = _rows(store, question["query"])
    expected = question["expect"]
    if isinstance(expected, bool):
        assert answer is expected, question["question"]["en"]
        return
    assert isinstance(answer, list)
    wanted = [{k: None if v is None else str(v) for k, v in row.items()} for row in expected]
    got = [{k: row.get(k) for k in wanted[0]} for row in answer] if wanted else answer
    missing = [row for row in wanted if row not in got]
    assert not missing, f"{question['question']['en']}\nmissing: {missing}\ngot: {answer[:20]}"
    if question.get("match") == "exact":
        assert len(answer) == len(wanted), f"{question['question']['en']}\nunexpected extra rows: {answer}"
