"""The response cache over HTTP: it may only ever return what evaluating the query would return now.

Each test runs real server processes on a fixture build. A changed build must change answers and ETags;
answers negotiated into different media types must never be served for one another; a client holding
the current ETag gets 304; a truncated answer keeps its truncation header however it is served.
"""

from __future__ import annotations

import hashlib
import json
import tracemalloc
from pathlib import Path

import pytest

from core.guard import Limits, analyse
from server.answering import build_job
from server.cache import ResponseCache
from server.evaluation import Job, Outcome
from server.express import Answer, ReplayCache
from server.protocol import QueryRequest
from tests.server.server_support import ID, KG, RunningServer, running_server, write_fixture_build

MAX_ROWS = 5
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ACTORS = f"SELECT ?a WHERE {{ ?a a <{KG}Actor> }} ORDER BY ?a"
DESCRIBE = f"CONSTRUCT {{ <{ID}actor-1> ?p ?o }} WHERE {{ <{ID}actor-1> ?p ?o }}"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_build(tmp_path_factory.mktemp("perf-build"))


@pytest.fixture(scope="module")
def server(build_dir: Path):
    with running_server(["--build-dir", str(build_dir), "--max-rows", str(MAX_ROWS), "--cache-max-age", "123"]) as s:
        yield s


def _count(server: RunningServer) -> tuple[int, str]:
    answer = server.query(COUNT, accept="application/sparql-results+json")
    assert answer.status == 200
    rows = answer.json()["results"]["bindings"]  # type: ignore[index]
    return int(rows[0]["n"]["value"]), answer.header("ETag")


def test_a_changed_build_gives_new_answers_and_etags(tmp_path: Path) -> None:
    build = write_fixture_build(tmp_path / "build")
    with running_server(["--build-dir", str(build)]) as before:
        old_count, old_etag = _count(before)
        assert _count(before) == (old_count, old_etag)  # second answer from the cache, identical
    extra = f'<{ID}actor-99> <http://www.w3.org/2000/01/rdf-schema#label> "Acteur 99" <{KG}graph> .\n'
    nquads = build / "kg.nq"
    nquads.write_text(nquads.read_text(encoding="utf-8") + extra, encoding="utf-8")
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["version"] = hashlib.sha256(nquads.read_bytes()).hexdigest()
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with running_server(["--build-dir", str(build)]) as after:
        new_count, new_etag = _count(after)
        assert new_count == old_count + 1
        assert new_etag != old_etag
        revalidated = after.request(
            "GET",
            "/sparql?" + _encode(COUNT),
            headers={"Accept": "application/sparql-results+json", "If-None-Match": old_etag},
        )
        assert revalidated.status == 200  # an ETag from the old build never earns a 304
        assert revalidated.header("ETag") == new_etag


@pytest.mark.parametrize(
    ("query", "accepts"),
    [
        (
            ACTORS,
            [
                "application/sparql-results+json",
                "application/sparql-results+xml",
                "text/csv",
                "text/tab-separated-values",
            ],
        ),
        (DESCRIBE, ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]),
    ],
)
def test_different_media_types_never_share_an_entry(server: RunningServer, query: str, accepts: list[str]) -> None:
    first = {accept: server.query(query, accept=accept) for accept in accepts}
    for _ in range(2):  # interleaved repeats, all served from the cache
        for accept in accepts:
            again = server.query(query, accept=accept)
            assert again.status == 200
            assert again.header("Content-Type").startswith(accept)
            assert again.body == first[accept].body
            assert again.header("ETag") == first[accept].header("ETag")
    assert len({answer.body for answer in first.values()}) == len(accepts)
    assert len({answer.header("ETag") for answer in first.values()}) == len(accepts)


def test_if_none_match_gives_304_with_the_same_etag(server: RunningServer) -> None:
    first = server.query(COUNT, accept="text/csv")
    etag = first.header("ETag")
    assert etag and first.header("Cache-Control") in ("public, max-age=123", "max-age=123, public")
    path = "/sparql?" + _encode(COUNT)
    not_modified = server.request("GET", path, headers={"Accept": "text/csv", "If-None-Match": etag})
    assert not_modified.status == 304
    assert not_modified.body == b""
    assert not_modified.header("ETag") == etag
    other_type = server.request(
        "GET", path, headers={"Accept": "application/sparql-results+json", "If-None-Match": etag}
    )
    assert other_type.status == 200  # the JSON answer is another representation, with its own ETag
    assert other_type.header("ETag") != etag


def test_truncated_answers_keep_their_header(server: RunningServer) -> None:
    answers = [server.query(ACTORS, accept="text/tab-separated-values") for _ in range(3)]
    for answer in answers:
        assert answer.status == 200
        assert answer.header("X-Result-Truncated") == "true"
        assert answer.text.count("\n") == MAX_ROWS + 1  # header line and the capped rows
        assert answer.body == answers[0].body
    path = "/sparql?" + _encode(ACTORS)
    headers = {"Accept": "text/tab-separated-values", "If-None-Match": answers[0].header("ETag")}
    not_modified = server.request("GET", path, headers=headers)
    assert not_modified.status == 304
    assert not_modified.header("X-Result-Truncated") == "true"
    complete = server.query(COUNT, accept="text/tab-separated-values")
    assert complete.header("X-Result-Truncated") == "false"


def test_the_cache_is_bounded_by_bytes() -> None:
    cache = ResponseCache("v1", max_bytes=10_000)
    jobs = [Job(f"ASK {{ <urn:{i}> ?p ?o }}", None, None, None, None, None, 10) for i in range(40)]
    for job in jobs:
        cache.put(job, Outcome(kind="ok", body=b"x" * 900, content_type="text/plain"))
    assert cache.size <= 10_000
    assert cache.get(jobs[-1]) is not None and cache.get(jobs[0]) is None  # least recently used went first
    assert cache.put(jobs[0], Outcome(kind="error", message="boom")).etag == ""  # failures are never kept
    assert cache.get(jobs[0]) is None


def test_answers_asked_for_once_never_push_out_answers_asked_for_again() -> None:
    """Segmented LRU: a flood of one-off answers (ad-hoc queries) churns probation only."""
    cache = ResponseCache("v1", max_bytes=100_000)
    body = Outcome(kind="ok", body=b"x" * 5_000, content_type="text/plain")
    repeated = [Job(f"ASK {{ <urn:r{i}> ?p ?o }}", None, None, None, None, None, 10) for i in range(12)]
    for job in repeated:
        cache.put(job, body)
        assert cache.get(job) is not None  # asked for again: protected
    for i in range(500):
        cache.put(Job(f"ASK {{ <urn:once{i}> ?p ?o }}", None, None, None, None, None, 10), body)
    assert all(cache.get(job) is not None for job in repeated)
    assert cache.size <= 100_000
    once = Job("ASK { <urn:once499> ?p ?o }", None, None, None, None, None, 10)
    assert cache.get(once) is not None  # the newest one-off answer is still on probation


def test_an_answer_computed_twice_is_kept_even_when_one_offs_came_in_between() -> None:
    """Saved queries come round between bursts of ad-hoc ones, which empty probation each time: the
    second time an answer is computed, it goes to the protected segment."""
    cache = ResponseCache("v1", max_bytes=100_000)
    body = Outcome(kind="ok", body=b"x" * 5_000, content_type="text/plain")
    cycle = [Job(f"ASK {{ <urn:c{i}> ?p ?o }}", None, None, None, None, None, 10) for i in range(12)]
    one_offs = (Job(f"ASK {{ <urn:once{i}> ?p ?o }}", None, None, None, None, None, 10) for i in range(10_000))
    for _ in range(2):
        for job in cycle:
            if cache.get(job) is None:
                cache.put(job, body)
        for _, job in zip(range(100), one_offs, strict=False):
            cache.put(job, body)
    assert all(cache.get(job) is not None for job in cycle)


def test_protected_overflow_falls_back_to_probation_then_out() -> None:
    cache = ResponseCache("v1", max_bytes=50_000)
    body = Outcome(kind="ok", body=b"x" * 5_000, content_type="text/plain")
    jobs = [Job(f"ASK {{ <urn:{i}> ?p ?o }}", None, None, None, None, None, 10) for i in range(20)]
    for job in jobs:
        cache.put(job, body)
        cache.get(job)
    assert cache.size <= 50_000
    assert cache.get(jobs[-1]) is not None and cache.get(jobs[0]) is None


def _encode(query: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"query": query})


PREFIXES = tuple((f"p{i}", f"https://example.org/vocabulary/{i}/") for i in range(15))
SMALL_ANSWER = b'{"head":{"vars":["s"]},"results":{"bindings":[]}}'


def _traced(fill: object) -> int:
    """Bytes that ``fill()`` left allocated (what the cache kept), by Python's own allocation tracer."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fill()  # type: ignore[operator]
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_the_answer_cache_counts_what_small_answers_really_take() -> None:
    """Light lookups give answers of a few dozen bytes, so the bookkeeping is most of an entry: the byte
    budget must count it, or the cache holds twice its budget (it once counted 830 bytes of 2,036)."""
    cache = ResponseCache("v" * 64, max_bytes=64 * 1024 * 1024)
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    texts = [f'SELECT ?s WHERE {{ ?s {label} "label {index}"@en }}' for index in range(3_000)]
    shapes = [analyse(text, Limits()) for text in texts]  # the guard's memo is not the cache's memory

    def fill() -> None:
        for index, (text, shape) in enumerate(zip(texts, shapes, strict=True)):
            request = QueryRequest(text, None, None, {})
            job = build_job(request, shape, None, None, 10_000, PREFIXES, f"http://h{index % 3}/sparql")
            cache.put(job, Outcome(kind="ok", body=SMALL_ANSWER + str(index).encode(), content_type="application/json"))

    used = _traced(fill)
    assert len(cache) == 3_000
    assert cache.size >= 0.9 * used, (cache.size, used)


def test_replays_count_what_they_really_take() -> None:
    replays = ReplayCache(max_bytes=64 * 1024 * 1024)

    def fill() -> None:
        for index in range(3_000):
            for _ in range(2):  # kept at the second asking
                key = ("http", "127.0.0.1:8000", "/sparql", f"query=ASK%7B%7D%23{index}", "*/*", "", "127.0.0.1:8000")
                headers = [("content-type", "application/json"), ("etag", f'"{index:032x}"'), ("vary", "Accept")]
                replays.offer(key, Answer(200, headers, SMALL_ANSWER + str(index).encode()))

    used = _traced(fill)
    assert len(replays) == 3_000
    assert replays.bytes >= 0.9 * used, (replays.bytes, used)


def test_the_two_caches_share_one_budget() -> None:
    cache = ResponseCache("v1", max_bytes=64_000)
    untouched = ResponseCache("v1", max_bytes=64_000)  # an app run without the express lane keeps it all
    body = Outcome(kind="ok", body=b"x" * 1_000, content_type="text/plain")
    for index in range(60):
        cache.put(Job(f"ASK {{ <urn:{index}> ?p ?o }}", None, None, None, None, None, 10), body)
    assert cache.share_with_replays() == 16_000
    assert cache.max_bytes == 48_000 and cache.size <= 48_000  # what it held beyond its new share is gone
    assert untouched.max_bytes == 64_000
    odd = ResponseCache("v1", max_bytes=10)
    assert odd.share_with_replays() + odd.max_bytes == 10
