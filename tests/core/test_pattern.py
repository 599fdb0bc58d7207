"""Which queries read as one triple pattern, and what their constants are.

The reading decides which queries an HTTP worker may answer without a deadline (server.inline), so the
refusals matter as much as the acceptances: every construct whose cost is not bounded by the pattern's
matches must read as "not one pattern".
"""

from __future__ import annotations

import pytest

from core.guard import Limits, analyse
from core.pattern import RDF_TYPE, Iri, OnePattern, Text

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

ACCEPTED = [
    ("lookup", f'SELECT ?s WHERE {{ ?s <{LABEL}> "label 7"@en }}', OnePattern(None, Iri(LABEL), Text("label 7", "en"))),
    ("prefixed", RDFS + "SELECT * { ?s rdfs:label ?l . }", OnePattern(None, Iri(LABEL), None)),
    ("a", "ASK { ?s a <http://e/C> }", OnePattern(None, Iri(RDF_TYPE), Iri("http://e/C"))),
    ("language-case", 'ASK { ?s ?p "x"@EN-gb }', OnePattern(None, None, Text("x", "en-gb"))),
    ("datatype", f'SELECT * {{ ?s ?p "x"^^<{XSD_STRING}> }}', OnePattern(None, None, Text("x", datatype=XSD_STRING))),
    ("single-quotes", "SELECT * { ?s ?p 'x' }", OnePattern(None, None, Text("x"))),
    ("number", "SELECT * { ?s ?p 12 }", OnePattern(None, None, None)),
    ("boolean", "SELECT * { ?s ?p true }", OnePattern(None, None, None)),
    ("relative-iri", "SELECT * { <x> ?p ?o }", OnePattern(None, None, None)),
    ("escaped-string", r'SELECT * { ?s ?p "a\"b" }', OnePattern(None, None, None)),
    ("long-string", 'SELECT * { ?s ?p """x""" }', OnePattern(None, None, None)),
    (
        "modifiers",
        RDFS + "SELECT DISTINCT ?s ?l WHERE { ?s rdfs:label ?l } ORDER BY DESC(?l) ?s OFFSET 2 LIMIT 3",
        OnePattern(None, Iri(LABEL), None),
    ),
    (
        "construct",
        "CONSTRUCT { <http://e/x> ?p ?o } WHERE { <http://e/x> ?p ?o } LIMIT 100012",
        OnePattern(Iri("http://e/x"), None, None),
    ),
    ("construct-where", "CONSTRUCT WHERE { ?s a ?c }", OnePattern(None, Iri(RDF_TYPE), None)),
    (
        "cheap-filters",
        RDFS + 'SELECT ?e ?l { FILTER(LANG(?l) = "en") ?e rdfs:label ?l . '
        'FILTER(CONTAINS(LCASE(STR(?l)), "maroc") && STRLEN(?l) < 100) } LIMIT 20 OFFSET 3',
        OnePattern(None, Iri(LABEL), None),
    ),
    ("filter-call", 'SELECT * { ?s ?p ?o FILTER contains(?o, "x") }', OnePattern(None, None, None)),
    ("filter-in", "SELECT * { ?s ?p ?o FILTER(?o NOT IN (1, 2)) }", OnePattern(None, None, None)),
]

REFUSED = [
    ("two-patterns", "SELECT * { ?s ?p ?o . ?o ?q ?r }"),
    ("semicolon", "SELECT * { ?s ?p ?o ; ?q ?r }"),
    ("comma", "SELECT * { ?s ?p ?o , ?r }"),
    ("optional", "SELECT * { ?s ?p ?o OPTIONAL { ?o ?q ?r } }"),
    ("union", "SELECT * { { ?s ?p ?o } UNION { ?s ?q ?o } }"),
    ("graph", "SELECT * { GRAPH ?g { ?s ?p ?o } }"),
    ("from", "SELECT * FROM <http://e/g> { ?s ?p ?o }"),
    ("base", "BASE <http://e/> SELECT * { <x> ?p ?o }"),
    ("blank-node", "SELECT * { _:b ?p ?o }"),
    ("anonymous-node", "SELECT * { [] ?p ?o }"),
    ("sequence-path", "SELECT * { ?s <http://e/p>/<http://e/q> ?o }"),
    ("star-path", "SELECT * { ?s <http://e/p>* ?o }"),
    ("inverse-path", "SELECT * { ?s ^<http://e/p> ?o }"),
    ("exists", "SELECT * { ?s ?p ?o FILTER(EXISTS { ?o ?q ?r }) }"),
    ("not-exists", "SELECT * { ?s ?p ?o FILTER NOT EXISTS { ?o ?q ?r } }"),
    ("concat", "SELECT * { ?s ?p ?o FILTER(STRLEN(CONCAT(?o, ?o)) > 1) }"),
    ("regex", 'SELECT * { ?s ?p ?o FILTER(REGEX(?o, "x")) }'),
    ("long-filter", "SELECT * { ?s ?p ?o FILTER(" + " && ".join(["?o"] * 40) + ") }"),
    ("order-expression", "SELECT * { ?s ?p ?o } ORDER BY STR(?o)"),
    ("values", "SELECT * { ?s ?p ?o } VALUES ?s { <http://e/x> }"),
    ("bind", "SELECT * { ?s ?p ?o BIND(?o AS ?x) }"),
    ("sub-select", "SELECT * { { SELECT * { ?s ?p ?o } } }"),
    ("projection-expression", "SELECT (STR(?o) AS ?x) { ?s ?p ?o }"),
    ("aggregate", "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"),
    ("group-by", "SELECT ?s { ?s ?p ?o } GROUP BY ?s"),
    ("codepoint-escape", r'SELECT * { ?s ?p "\u0041" }'),
    ("undeclared-prefix", "SELECT * { ?s ex:p ?o }"),
    ("describe", "DESCRIBE <http://e/x>"),
    ("template-filter", "CONSTRUCT { ?s ?p ?o FILTER(?o) } WHERE { ?s ?p ?o }"),
    ("two-limits", "SELECT * { ?s ?p ?o } LIMIT 1 LIMIT 2"),
    ("literal-subject", 'SELECT * { "x" ?p ?o }'),
    ("literal-predicate", 'SELECT * { ?s "x" ?o }'),
    ("trailing-garbage", "SELECT * { ?s ?p ?o } }"),
]


@pytest.mark.parametrize(("name", "query", "expected"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_one_pattern_queries_are_read(name: str, query: str, expected: OnePattern) -> None:
    assert analyse(query, Limits()).pattern == expected


@pytest.mark.parametrize(("name", "query"), REFUSED, ids=[case[0] for case in REFUSED])
def test_anything_else_is_not_one_pattern(name: str, query: str) -> None:
    assert analyse(query, Limits()).pattern is None
