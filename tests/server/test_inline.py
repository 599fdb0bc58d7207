"""The HTTP worker's copy of the store: the count that lets a query use it, and how the copy is loaded.

The count must never be lower than what the engine reads for the query, or a query over many triples
would run in the worker's event loop, where no deadline can stop it. The property test draws stores and
one-pattern queries from pools chosen to trip a careless reading (language tags in either case, numbers
the engine stores by value, prefixed names, relative IRIs, a variable used twice, quads in several graphs)
and compares the count with the rows pyoxigraph itself returns.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.guard import Limits, analyse
from core.settings import Settings
from server.dataset import load_dataset
from server.evaluation import Job, OutputFormat, evaluate
from server.inline import InlineStore, count_matches

EX = "http://e/"
XSD = "http://www.w3.org/2001/XMLSchema#"
_SUBJECTS = [ox.NamedNode(EX + "a"), ox.NamedNode(EX + "b"), ox.BlankNode("n")]
_PREDICATES = [ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q"), ox.NamedNode(EX + "x")]
_OBJECTS = [
    ox.NamedNode(EX + "a"),
    ox.Literal("x"),
    ox.Literal("x", language="en"),
    ox.Literal("x", language="en-gb"),
    ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("01", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("1.0", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
]
_GRAPHS = [ox.DefaultGraph(), ox.NamedNode(EX + "g1"), ox.NamedNode(EX + "g2")]
_QUADS = st.lists(
    st.builds(
        ox.Quad,
        st.sampled_from(_SUBJECTS),
        st.sampled_from(_PREDICATES),
        st.sampled_from(_OBJECTS),
        st.sampled_from(_GRAPHS),
    ),
    max_size=40,
)
_QUERY_SUBJECTS = ["?s", "<http://e/a>", "ex:b", "<a>", "?o"]
_QUERY_PREDICATES = ["?p", "<http://e/p>", "ex:q", "a", "?s"]
_QUERY_OBJECTS = [
    *("?o", "?s", "<http://e/a>", "ex:a", '"x"', "'x'", '"x"@EN', '"x"@en-GB', '"x"@en'),
    *('"x"^^<http://www.w3.org/2001/XMLSchema#string>', '"1"^^xsd:integer', '"01"^^xsd:integer'),
    *("1", "01", "1.0", "1e0", "true", '"\\x"', '"""x"""'),
]
_PROLOGUE = "PREFIX ex: <http://e/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"


@settings(max_examples=400, deadline=None)
@given(
    quads=_QUADS,
    subject=st.sampled_from(_QUERY_SUBJECTS),
    predicate=st.sampled_from(_QUERY_PREDICATES),
    object_=st.sampled_from(_QUERY_OBJECTS),
)
def test_the_count_is_never_below_what_the_engine_reads(
    quads: list[ox.Quad], subject: str, predicate: str, object_: str
) -> None:
    store = ox.Store()
    store.extend(quads)
    query = f"{_PROLOGUE}SELECT * WHERE {{ {subject} {predicate} {object_} }}"
    pattern = analyse(query, Limits()).pattern
    assert pattern is not None
    try:
        rows = len(list(store.query(query, use_default_graph_as_union=True, base_iri=EX)))  # type: ignore[arg-type]
    except SyntaxError:
        return  # "a" as a subject, say: the engine refuses the text
    assert rows <= count_matches(store, pattern, 10_000)


def test_the_count_stops_past_its_bound() -> None:
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(EX + "p"), ox.Literal("x")) for n in range(50))
    pattern = analyse("SELECT * { ?s <http://e/p> ?o }", Limits()).pattern
    assert pattern is not None
    assert count_matches(store, pattern, 10) == 11
    assert count_matches(store, pattern, 100) == 50


def _job(query: str) -> Job:
    results = OutputFormat("JSON", "application/sparql-results+json")
    return Job(query=query, capped_query=None, default_graphs=None, named_graphs=None, results_format=results,
               graph_format=None, max_rows=100)  # fmt: skip


def _loaded(store: InlineStore) -> InlineStore:
    store._load()  # what start() runs in its thread
    return store


def _ready_copy(build: Path) -> InlineStore:
    settings = Settings(build_dir=build)
    return _loaded(InlineStore(settings, load_dataset(settings).info.version))


def test_the_copy_answers_as_the_evaluators_do(fixture_build: Path) -> None:
    settings = Settings(build_dir=fixture_build, inline_max_matches=20)
    served = load_dataset(settings)
    inline = InlineStore.for_dataset(settings, served.info)
    assert inline is not None and inline.status == "loading"
    assert _loaded(inline).status == "ready"
    few = "SELECT ?s ?c WHERE { ?s a ?c } ORDER BY ?s ?c"  # 16 matches
    job = _job(few)
    assert inline.answer(job, analyse(few, Limits()).pattern) == evaluate(served.store, job)
    many = "SELECT ?s WHERE { ?s ?p ?o }"  # 32 matches
    assert inline.answer(_job(many), analyse(many, Limits()).pattern) is None
    two = "SELECT ?s WHERE { ?s a ?c . ?s ?p ?o }"
    assert inline.answer(_job(two), analyse(two, Limits()).pattern) is None
    dataset = Job(**{**_fields(job), "default_graphs": ("http://e/g",)})
    assert inline.answer(dataset, analyse(few, Limits()).pattern) is None


def _fields(job: Job) -> dict[str, object]:
    names = ("query", "capped_query", "default_graphs", "named_graphs", "results_format", "graph_format", "max_rows")
    return {name: getattr(job, name) for name in names}


def test_no_copy_of_data_larger_than_allowed(fixture_build: Path) -> None:
    info = load_dataset(Settings(build_dir=fixture_build)).info
    assert InlineStore.for_dataset(Settings(build_dir=fixture_build, inline_max_triples=info.triples), info)
    assert InlineStore.for_dataset(Settings(build_dir=fixture_build, inline_max_triples=info.triples - 1), info) is None
    assert InlineStore.for_dataset(Settings(build_dir=fixture_build, inline_max_triples=0), info) is None


@pytest.mark.parametrize("problem", ["another version", "no build"])
def test_a_copy_that_is_not_the_served_data_is_not_used(fixture_build: Path, tmp_path: Path, problem: str) -> None:
    """A build swapped in after the evaluators loaded theirs (or gone): the queries keep going to them."""
    served = load_dataset(Settings(build_dir=fixture_build)).info
    settings = Settings(build_dir=fixture_build if problem == "another version" else tmp_path)
    inline = InlineStore(settings, served.version if problem == "no build" else "0" * 64)
    assert _loaded(inline).status == "failed"
    query = "ASK { ?s a ?c }"
    assert inline.answer(_job(query), analyse(query, Limits()).pattern) is None


def test_only_counts_worth_keeping_are_remembered(fixture_build: Path) -> None:
    """A broad pattern's count is kept; a lookup's (cheap to count again) and a long constant's are not,
    so queries with long literals cannot fill the worker's memory with remembered counts."""
    inline = _loaded(
        InlineStore(Settings(build_dir=fixture_build), load_dataset(Settings(build_dir=fixture_build)).info.version)
    )
    store = inline._store
    assert store is not None
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(EX + "p"), ox.Literal("x" * 3000)) for n in range(100))
    broad = analyse("SELECT * { ?s <http://e/p> ?o }", Limits()).pattern
    lookup = analyse('SELECT * { ?s ?p "label" }', Limits()).pattern
    long_constant = analyse(f'SELECT * {{ ?s <http://e/p> "{"x" * 3000}" }}', Limits()).pattern
    assert broad is not None and lookup is not None and long_constant is not None
    for pattern, matches in ((broad, 100), (lookup, 0), (long_constant, 100)):
        assert inline._count(store, pattern) == matches
    assert list(inline._counts) == [broad]


class PanicException(BaseException):
    """What pyo3 raises when the engine panics (named alike: the fallback recognises it by name)."""


@pytest.mark.parametrize(
    ("raised", "falls_back"), [(PanicException, True), (MemoryError, True), (KeyboardInterrupt, False)]
)
def test_an_engine_failure_in_the_worker_falls_back_to_an_evaluator(
    fixture_build: Path, monkeypatch: pytest.MonkeyPatch, raised: type[BaseException], falls_back: bool
) -> None:
    inline = _ready_copy(fixture_build)

    def failing(store: ox.Store, job: Job) -> None:
        raise raised("engine failure")

    monkeypatch.setattr("server.inline.evaluate", failing)
    query = "ASK { ?s a ?c }"
    if falls_back:
        assert inline.answer(_job(query), analyse(query, Limits()).pattern) is None
    else:
        with pytest.raises(raised):
            inline.answer(_job(query), analyse(query, Limits()).pattern)
