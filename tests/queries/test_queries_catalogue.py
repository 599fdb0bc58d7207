"""Loading the catalogue: the real one loads; each kind of broken query file fails with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.binding import bind_values, where_group_start
from core.catalogue import Catalogue, load_catalogue
from core.errors import BuildError

HEAD = "#+ summary: a test query\nPREFIX mdk: <https://w3id.org/morocco-digital-kg/ontology/>\n"

BROKEN = [
    # (file text, expected line, words of the reason)
    (HEAD + "SELECT ?x WHERE {\n  ?x mdk:p \n}\n", 5, "does not parse"),
    (HEAD.replace("#+ summary", "#+ summry") + "SELECT ?x WHERE { ?x ?p ?o }\n", 1, "unknown decorator 'summry'"),
    ("#+ tags: [a]\nSELECT ?x WHERE { ?x ?p ?o }\n", 1, "needs a 'summary'"),
    ("#+ summary: [unclosed\nSELECT ?x WHERE { ?x ?p ?o }\n", 1, "not valid YAML"),
    (
        HEAD + "#+ defaults:\n#+   - city: https://example.org/x\nSELECT ?x WHERE { ?x ?p ?o }\n",
        4,
        "declare parameter 'city' but the query has no",
    ),
    (HEAD + "#+ enumerate:\n#+   - kind: [a, b]\nSELECT ?x WHERE { ?x a ?_type_iri }\n", 4, "declare parameter 'kind'"),
    (HEAD + "#+ pagination: 10\nSELECT ?x WHERE { ?x ?p ?o }\n", 3, "needs ORDER BY"),
    (HEAD + "#+ pagination: 10\nSELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x LIMIT 5\n", 3, "no longer parses"),
    (HEAD + "#+ pagination: 10\nASK { ?x ?p ?o }\n", 3, "SELECT queries only"),
    (HEAD + "SELECT ?x WHERE { ?x ?p ?_when_xsd_dateTime }\n", 3, "not supported"),
    (HEAD + "SELECT ?x WHERE { ?x ?p ?_a_b_c_d }\n", 3, "starts like a parameter"),
    (HEAD + "SELECT ?x WHERE { ?x ?p ?_page }\n", 3, "reserved"),
    (HEAD + "SELECT ?x WHERE { ?x ?p ?_who_iri }\n", 3, "needs an example"),
    (
        HEAD + "#+ parameters:\n#+   who: {example: not an iri}\nSELECT ?x WHERE { ?x ?p ?_who_iri }\n",
        4,
        "example value of 'who' does not fit",
    ),
    (
        HEAD + "#+ parameters:\n#+   n: {type: iri, example: 3}\nSELECT ?x WHERE { ?x ?p ?_n_integer }\n",
        4,
        "makes it 'integer'",
    ),
    (
        HEAD + "#+ parameters:\n#+   who: {example: 'https://e.org/x'}\nCONSTRUCT WHERE { ?_who_iri ?p ?o }\n",
        None,
        "no longer parses",
    ),
    (HEAD + "SELECT ?x WHERE { SERVICE <http://example.org/> { ?x ?p ?o } }\n", None, "SERVICE"),
    (HEAD + "INSERT DATA { <http://e.org/a> <http://e.org/b> <http://e.org/c> }\n", None, "read-only"),
]


def test_the_real_catalogue_loads(catalogue: Catalogue) -> None:
    assert len(catalogue) >= 20
    for saved in catalogue:
        assert saved.summary and saved.tags, saved.name


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN, ids=[reason for _, _, reason in BROKEN])
def test_broken_query_fails_the_build(tmp_path: Path, text: str, line: int | None, reason: str) -> None:
    (tmp_path / "fine.rq").write_text(HEAD + "SELECT ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    path = tmp_path / "broken.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        load_catalogue(tmp_path)
    problems = [p for p in raised.value.problems if reason in p.reason]
    assert problems, raised.value.problems
    assert all(p.file == path for p in raised.value.problems)
    assert problems[0].line == line, problems[0]


def test_bad_file_name(tmp_path: Path) -> None:
    (tmp_path / "Bad Name.rq").write_text(HEAD + "SELECT ?x WHERE { ?x ?p ?o }\n", encoding="utf-8")
    with pytest.raises(BuildError, match="file name"):
        load_catalogue(tmp_path)


def test_grlc_style_file_loads(tmp_path: Path) -> None:
    """A query as grlc collections write them: list-style defaults and enumerate, BASIL variable names."""
    (tmp_path / "by-year.rq").write_text(
        "#+ summary: Things by year\n#+ tags:\n#+   - time\n#+ method: GET\n#+ endpoint: http://example.org/sparql\n"
        "#+ defaults:\n#+   - year: 2030\n#+ enumerate:\n#+   - lang:\n#+     - en\n#+     - fr\n"
        "SELECT ?s WHERE { ?s ?p ?__year_xsd_gYear . ?s ?q ?l FILTER(LANG(?l) = ?__lang) }\n",
        encoding="utf-8",
    )
    saved = load_catalogue(tmp_path).get("by-year")
    assert saved is not None
    year, lang = saved.parameters
    assert (year.kind, year.required, year.default) == ("gYear", False, "2030")
    assert lang.enum == ("en", "fr")


@pytest.mark.parametrize(
    ("text", "form", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select", "SELECT * WHERE {"),
        ("SELECT (EXISTS { ?a ?b ?c } AS ?e) { ?s ?p ?o }", "select", "AS ?e) {"),
        ('SELECT ?s WHERE { ?s ?p "{" }', "select", "WHERE {"),
        ("# { comment\nASK { ?s ?p ?o }", "ask", "ASK {"),
        ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "construct", "} WHERE {"),
        ("PREFIX select: <http://e.org/>\nSELECT ?s { ?s select:p ?o }", "select", "SELECT ?s {"),
    ],
)
def test_values_go_into_the_outermost_where_group(text: str, form: str, expected: str) -> None:
    assert text[: where_group_start(text, form)].endswith(expected)
    bound = bind_values(text, form, [("?v", "<http://e.org/x>")])
    assert "VALUES (?v) { (<http://e.org/x>) }" in bound


def test_queries_follow_a_non_default_base_iri(tmp_path: Path) -> None:
    """A graph built under another base gets its saved queries (and their examples) moved under it."""
    (tmp_path / "one.rq").write_text(
        "#+ summary: one entity\nSELECT ?p WHERE { <https://w3id.org/morocco-digital-kg/id/morocco> ?p ?o }\n",
        encoding="utf-8",
    )
    saved = load_catalogue(tmp_path, "http://example.org/kg/").get("one")
    assert saved is not None
    assert "http://example.org/kg/id/morocco" in saved.text
    assert "w3id.org" not in saved.text
