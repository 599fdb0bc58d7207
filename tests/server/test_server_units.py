"""Pure parts of the server, without HTTP: query checks, the row-cap rewrite, negotiation, options."""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.guard import Limits, QueryRejected, analyse
from core.settings import Settings
from server.cli import add_serve_parser
from server.evaluation import Job, OutputFormat, evaluate, rows_at_most
from server.negotiation import GRAPH_FORMATS, HTML, RESULT_FORMATS, choose


def test_query_length_limit() -> None:
    with pytest.raises(QueryRejected) as rejected:
        analyse("ASK {} # padding", Limits(max_chars=10))
    assert rejected.value.status == 413


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX ex: <http://example.org/> BASE <http://b/> select * {}", "select"),
        ("ASK {}", "ask"),
        ("construct where {}", "construct"),
        ("DESCRIBE <x>", "describe"),
        ("nonsense", None),
        ("", None),
    ],
)
def test_form_detection(query: str, form: str | None) -> None:
    assert analyse(query, Limits()).form == form


@pytest.mark.parametrize(
    "update", ["INSERT DATA {}", "delete where {}", "LOAD <http://x/>", "WITH <g> DELETE {} WHERE {}"]
)
def test_updates_are_403(update: str) -> None:
    with pytest.raises(QueryRejected) as rejected:
        analyse(update, Limits())
    assert rejected.value.status == 403


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX e: <http://e/> SELECT ?b (COUNT(?a) AS ?n) FROM <http://g> WHERE { ?a e:p ?b } "
        "GROUP BY ?b ORDER BY DESC(?n)",
        "SELECT DISTINCT ?z ?a WHERE { VALUES (?z ?a) { (1 2) (3 4) (3 4) } } ORDER BY ?z",
        "SELECT * WHERE { VALUES ?x { 3 1 2 } } ORDER BY ?x",
        "SELECT ?x WHERE { ?s ?p ?x } VALUES ?x { 1 }",
        "SELECT ?x {} LIMIT 2000 # trailing comment",
        "SELECT * WHERE { VALUES ?x { 3 1 2 } } ORDER BY ?x # no LIMIT, and a comment last",
        "SELECT * WHERE { VALUES ?x { 3 1 2 } } OFFSET 1",
        "SELECT ?x WHERE { { SELECT ?x WHERE { VALUES ?x { 1 2 3 } } LIMIT 2 } }",
        "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?x { 1 2 } } GROUP BY ?x limit 9999999999",
    ],
)
def test_row_cap_rewrite_keeps_meaning(query: str) -> None:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://e/p"), ox.Literal("1"), ox.NamedNode("http://g")))
    shape = analyse(query, Limits())
    capped = shape.row_capped(query, 1000)
    assert capped is not None
    original = store.query(query).serialize(format=ox.QueryResultsFormat.TSV)  # type: ignore[union-attr]
    rewritten = store.query(capped).serialize(format=ox.QueryResultsFormat.TSV)  # type: ignore[union-attr]
    assert rewritten == original


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?x {} LIMIT 2", None),  # its own LIMIT is under the cap: nothing to bound
        ("SELECT ?x {} LIMIT 999", None),
        ("SELECT ?x {} LIMIT 1000", "SELECT ?x {} LIMIT 1000"),
        ("SELECT ?x {} LIMIT 5000 OFFSET 3", "SELECT ?x {} LIMIT 1000 OFFSET 3"),
        ("SELECT ?x {} # a comment", "SELECT ?x {} # a comment\nLIMIT 1000"),
        ("SELECT ?x { { SELECT ?x {} LIMIT 2 } }", "SELECT ?x { { SELECT ?x {} LIMIT 2 } }\nLIMIT 1000"),
        (
            "SELECT ?x { ?x ?p 1 } VALUES ?x { 1 }",
            "SELECT ?x  WHERE { {\nSELECT ?x { ?x ?p 1 } VALUES ?x { 1 }\n} }\nLIMIT 1000",
        ),
        ("ASK {}", None),
        # past what the engine accepts: left alone, so the engine's own message reaches the client
        ("SELECT ?x {} LIMIT 99999999999999999999", "SELECT ?x {} LIMIT 99999999999999999999\nLIMIT 1000"),
    ],
)
def test_row_cap_lowers_the_query_own_limit_or_adds_one(query: str, expected: str | None) -> None:
    assert analyse(query, Limits()).row_capped(query, 1000) == expected


_RESULT_TYPES = {
    "JSON": "application/sparql-results+json",
    "XML": "application/sparql-results+xml",
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
}


def _rows_of(body: bytes, format_name: str) -> int:
    if format_name == "CSV":
        return body.count(b"\r\n") - 1
    solutions = ox.parse_query_results(body, format=getattr(ox.QueryResultsFormat, format_name))
    return len(list(solutions))  # type: ignore[arg-type]


@pytest.mark.parametrize("format_name", sorted(_RESULT_TYPES))
@pytest.mark.parametrize("value", ["", '"a long literal value, so that the answer is long enough to be counted"'])
@pytest.mark.parametrize("rows", [2, 3, 4, 9])
def test_row_cap_boundary_in_every_format(format_name: str, value: str, rows: int) -> None:
    """At, under and over the cap, short answers and long ones, empty solutions and full ones."""
    cap = 3
    values = " ".join(f"({value or 'UNDEF'} {index})" for index in range(rows))
    query = f"SELECT ?x ?i WHERE {{ VALUES (?x ?i) {{ {values} }} }}"
    output = OutputFormat(format_name, _RESULT_TYPES[format_name])
    capped = analyse(query, Limits()).row_capped(query, cap + 1)
    job = Job(query, capped, None, None, output, None, cap)
    outcome = evaluate(ox.Store(), job)
    assert outcome.kind == "ok", outcome.message
    assert outcome.truncated is (rows > cap)
    assert _rows_of(outcome.body, format_name) == min(rows, cap)
    uncapped = ox.Store().query(query).serialize(format=getattr(ox.QueryResultsFormat, format_name))  # type: ignore[union-attr]
    if rows <= cap:
        assert outcome.body == uncapped


_AWKWARD_VALUES = (
    "UNDEF",
    '"},{"',
    '"<result></result>"',
    '"two\\nlines\\r\\n"',
    '"tab\\there"@fr',
    '"\\"},{\\" quoted"',
    '<<( <http://example.org/s> <http://example.org/p> "o" )>>',
    "42",
)


@pytest.mark.parametrize("format_name", ["JSON", "XML", "TSV", "CSV"])
def test_the_row_bound_the_cap_trusts_is_never_below_the_real_count(format_name: str) -> None:
    """Unbound values, literals that spell separators, line breaks and triple terms never hide a row."""
    for rows in (0, 1, 2, 7, 50):
        for width in (1, 2):
            awkward = itertools.cycle(_AWKWARD_VALUES)
            cells = " ".join("(" + " ".join(next(awkward) for _ in range(width)) + ")" for _ in range(rows))
            variables = " ".join(f"?v{c}" for c in range(width))
            query = f"SELECT * WHERE {{ VALUES ({variables}) {{ {cells} }} }}"
            body = ox.Store().query(query).serialize(format=getattr(ox.QueryResultsFormat, format_name))  # type: ignore[union-attr]
            assert rows_at_most(body, format_name) >= rows, (query, body)  # type: ignore[arg-type]
            if format_name in ("XML", "TSV"):
                assert rows_at_most(body, format_name) == rows, body  # type: ignore[arg-type]


def test_negotiation_prefers_quality_then_server_order() -> None:
    assert choose(RESULT_FORMATS, "text/csv;q=0.5, application/sparql-results+xml").name == "XML"
    assert choose(RESULT_FORMATS, "text/*").name == "CSV"
    assert choose(RESULT_FORMATS, "text/turtle") is None
    assert choose(GRAPH_FORMATS, "application/sparql-results+json,*/*;q=0.9").name == "TURTLE"
    assert choose((*GRAPH_FORMATS, HTML), "text/html,application/xhtml+xml,*/*;q=0.8") is HTML
    assert choose(RESULT_FORMATS, "text/csv", "json").name == "JSON"
    assert choose(RESULT_FORMATS, "text/csv", "unknown-name").name == "CSV"
    assert choose(GRAPH_FORMATS, None, "tsv") is None


def test_serve_options() -> None:
    parser = argparse.ArgumentParser()
    add_serve_parser(parser.add_subparsers())
    arguments = parser.parse_args(
        [
            "serve",
            "--port",
            "9000",
            "--workers",
            "3",
            "--query-timeout",
            "1.5",
            "--max-rows",
            "7",
            "--data",
            "http://example.org/g=/tmp/a.nt",
            "/tmp/b.ttl",
        ]
    )
    settings = Settings.resolve(environ={}, arguments=arguments)
    assert (settings.host, settings.port, settings.workers) == ("127.0.0.1", 9000, 3)
    assert (settings.query_timeout, settings.max_rows) == (1.5, 7)
    assert [(str(d.path), d.graph) for d in settings.data_files] == [
        ("/tmp/a.nt", "http://example.org/g"),
        ("/tmp/b.ttl", None),
    ]
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--workers", "0"])


def test_relative_iris_in_data_files_resolve_against_the_path_as_named(tmp_path) -> None:
    """A file reached through a symlinked folder keeps the path the user named as its base IRI, as
    rdflib and Jena do; resolving the link would move its relative IRIs away from a graph named after
    that path (the W3C suites name their graphs so)."""
    from core.settings import DataFile, Settings
    from server.dataset import load_dataset

    real = tmp_path / "real"
    real.mkdir()
    (real / "data.ttl").write_text("<s> <p> <o> .\n", encoding="utf-8")
    (tmp_path / "linked").symlink_to(real)
    named = tmp_path / "linked" / "data.ttl"
    dataset = load_dataset(Settings(data_files=(DataFile(path=named, graph=None),)))
    subjects = {quad.subject.value for quad in dataset.store}
    assert subjects == {(tmp_path / "linked" / "s").as_uri()}


def _write_build(directory: Path, nquads: str) -> None:
    import hashlib
    import json

    directory.mkdir()
    (directory / "kg.nq").write_text(nquads, encoding="utf-8")
    version = hashlib.sha256(nquads.encode("utf-8")).hexdigest()
    (directory / "manifest.json").write_text(json.dumps({"version": version}), encoding="utf-8")


def test_a_replacement_evaluator_loads_what_the_server_started_with_after_a_new_build(tmp_path) -> None:
    """``kg build`` swaps a new directory in and deletes the old one while the server runs: the store
    loaded again for a replacement evaluator still holds the served version, and a file rewritten in
    place is refused rather than served under the old version."""
    import shutil

    from core.settings import Settings
    from server.dataset import DatasetError, load_dataset

    build = tmp_path / "build"
    _write_build(build, "<http://e/s> <http://e/p> <http://e/served> <http://e/g> .\n")
    dataset = load_dataset(Settings(build_dir=build))
    shutil.rmtree(build)
    _write_build(build, "<http://e/s> <http://e/p> <http://e/newer> <http://e/g> .\n")
    again = dataset.source.load()
    assert {quad.object.value for quad in again} == {"http://e/served"}
    assert dataset.store is not again

    in_place = load_dataset(Settings(build_dir=build))
    with (build / "kg.nq").open("r+b") as file:
        file.write(b"<http://e/x>")
    with pytest.raises(DatasetError, match="changed on disk"):
        in_place.source.load()


# "\u017fervice" starts with LONG S, which case-folds to "s"
_SERVICE_PIECES = ("SERVICE", "SeRvIcE", "\\u0053ERVICE", "ex:service", "a.SERVICE", "@service", "\u017fervice")
_OTHER_PIECES = (" ", "<x>", '"s"', "{", "}", "?v", ".", ":", "e", "rvice", "\\u0065")


@settings(max_examples=400, derandomize=True, database=None)
@given(st.lists(st.sampled_from(_SERVICE_PIECES + _OTHER_PIECES), max_size=8))
def test_the_quick_service_test_never_misses_what_the_token_check_finds(pieces: list[str]) -> None:
    """The fast path skips the token-by-token SERVICE check only when that check could not fire."""
    from core.guard import _may_mention_service, _mentions_service
    from core.lexer import expand_codepoint_escapes, tokenize

    text = "".join(pieces)
    found = _mentions_service(list(tokenize(text))) or _mentions_service(list(tokenize(expand_codepoint_escapes(text))))
    if found:
        assert _may_mention_service(text)


def test_free_memory_can_be_given_back_on_this_system() -> None:
    """HTTP workers trim glibc's arenas every few seconds; on Linux with glibc the call must really happen."""
    from server.allocator import release_free_memory

    assert release_free_memory() is True
