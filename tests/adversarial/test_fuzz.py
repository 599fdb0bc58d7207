"""Fuzzing: generated SPARQL, malformed HTTP, saved-query parameters and the OpenAPI description.

Whatever arrives, the answer is one of :data:`ALLOWED_STATUSES` (never a 500, never a dropped
connection), and the server is alive and serving afterwards. The default run is bounded (about 3,300
cases, the same ones every run, most of them cheap requests on keep-alive connections: about a minute on
two cores); ``-m slow`` runs thirty times more (about 100,000), drawing new cases each time.
"""

from __future__ import annotations

import contextlib
import socket
import urllib.parse
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.adversarial.adversarial_support import ALLOWED_STATUSES, FIGURES, KeepAlive
from tests.adversarial.fuzz_inputs import (
    BODIES,
    CONTENT_TYPES,
    HEADERS,
    HTTP_METHODS,
    PATHS,
    SAVED_KEYS,
    SAVED_NAMES,
    SAVED_VALUES,
    VERSIONS,
    grammar_queries,
    token_queries,
)
from tests.server.server_support import RunningServer

SCALE = {"bounded": 1, "long": 30}
CASES = {"tokens": 1200, "grammar": 1000, "http": 800, "saved": 300}
SCHEMATHESIS_EXAMPLES = 2  # per operation and generation mode (49 operations in the catalogue)


def _settings(examples: int, scale: int) -> settings:
    """The bounded run (CI) replays the same cases every time, so a red build is reproducible and never
    a roll of the dice; the long run draws new cases at each run to explore."""
    return settings(
        max_examples=examples,
        derandomize=scale == SCALE["bounded"],
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )


def _check(category: str, status: int, detail: object) -> None:
    FIGURES.status(category, status)
    FIGURES.fuzz_cases[category] += 1
    assert status in ALLOWED_STATUSES, (status, detail)


def _query_runner(server: RunningServer, category: str) -> Callable[[str, str], None]:
    client = KeepAlive(server)

    def run(query: str, method: str) -> None:
        accept = "application/sparql-results+json, text/turtle;q=0.9"
        if method == "GET":
            status, _, body = client.request(
                "GET", "/sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept}
            )
        elif method == "FORM":
            status, _, body = client.request(
                "POST",
                "/sparql",
                urllib.parse.urlencode({"query": query}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            )
        else:
            status, _, body = client.request(
                "POST",
                "/sparql",
                query.encode("utf-8", "surrogatepass"),
                {"Content-Type": "application/sparql-query", "Accept": accept},
            )
        _check(category, status, (query, body[:200]))

    return run


METHODS = st.sampled_from(["GET", "FORM", "DIRECT"])


def _fuzz_sparql(server: RunningServer, scale: int) -> None:
    tokens = _query_runner(server, "fuzz: token-level SPARQL")
    grammar = _query_runner(server, "fuzz: grammar-based SPARQL")

    @_settings(CASES["tokens"] * scale, scale)
    @given(token_queries(), METHODS)
    def token_level(query: str, method: str) -> None:
        tokens(query, method)

    @_settings(CASES["grammar"] * scale, scale)
    @given(grammar_queries(), METHODS)
    def grammar_based(query: str, method: str) -> None:
        grammar(query, method)

    token_level()
    grammar_based()


def _raw_exchange(server: RunningServer, request: bytes) -> int:
    """Send ``request`` on a fresh connection; the final status, or 0 when the server answered nothing."""
    with socket.create_connection((server.host, server.port), timeout=5) as connection:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it may answer before reading it all
            connection.sendall(request)
        received = b""
        while True:
            try:
                chunk = connection.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            received += chunk
            head = received.split(b"\r\n\r\n", 1)[0]
            if b"\r\n\r\n" in received and not head.startswith(b"HTTP/1.1 1"):
                break
            if head.startswith(b"HTTP/1.1 1") and received.count(b"\r\n\r\n") >= 2:
                break
    for block in received.split(b"\r\n\r\n"):
        parts = block.split(b" ", 2)
        if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit() and not parts[1].startswith(b"1"):
            return int(parts[1])
    return 0


def _fuzz_http(server: RunningServer, scale: int) -> None:
    @_settings(CASES["http"] * scale, scale)
    @given(HTTP_METHODS, PATHS, VERSIONS, CONTENT_TYPES, HEADERS, BODIES, st.booleans())
    def malformed(
        method: str,
        path: str,
        version: str,
        content_type: str | None,
        headers: list[tuple[str, str]],
        body: bytes,
        chunked: bool,
    ) -> None:
        lines = [f"{method} {path} {version}".rstrip(), f"Host: {server.host}:{server.port}", "Connection: close"]
        if content_type is not None:
            lines.append(f"Content-Type: {content_type}")
        lines += [f"{name}: {value}" for name, value in headers]
        if chunked and body:
            lines.append("Transfer-Encoding: chunked")
            payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
        else:
            lines.append(f"Content-Length: {len(body)}")
            payload = body
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + payload
        status = _raw_exchange(server, request)
        _check("fuzz: malformed HTTP", status, request[:300])

    malformed()


def _fuzz_saved(server: RunningServer, scale: int) -> None:
    client = KeepAlive(server)

    @_settings(CASES["saved"] * scale, scale)
    @given(SAVED_NAMES, st.lists(st.tuples(SAVED_KEYS, SAVED_VALUES), max_size=4), st.booleans())
    def saved(name: str, params: list[tuple[str, str]], post: bool) -> None:
        encoded = urllib.parse.urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in params])
        if post:
            headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"}
            status, _, body = client.request("POST", f"/queries/{name}", encoded.encode(), headers)
        else:
            status, _, body = client.request("GET", f"/queries/{name}?{encoded}", headers={"Accept": "*/*"})
        _check("fuzz: saved-query parameters", status, (name, params, body[:200]))

    saved()


# schemathesis on /openapi.json ------------------------------------------------------------------------
def _fuzz_openapi(server: RunningServer, scale: int) -> None:
    import requests

    schema = schemathesis.openapi.from_url(server.url + "openapi.json")
    session = requests.Session()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @_settings(SCHEMATHESIS_EXAMPLES * scale, scale)
            @given(operation.as_strategy(generation_mode=mode))
            def call(case: schemathesis.Case) -> None:
                response = case.call(base_url=server.url.rstrip("/"), session=session, timeout=30)
                _check("fuzz: schemathesis (OpenAPI)", response.status_code, (case.path, case.query))

            try:
                call()
            except Unsatisfiable:
                continue  # no parameter to make invalid: this operation has no negative case
    FIGURES.notes["openapi_operations"] = len(operations)


def _run_all(server: RunningServer, scale: int) -> None:
    _fuzz_sparql(server, scale)
    _fuzz_http(server, scale)
    _fuzz_saved(server, scale)
    _fuzz_openapi(server, scale)
    answer = server.request("GET", "/health")
    assert answer.status == 200 and answer.json()["workers"] == 2  # type: ignore[index]
    assert server.query("ASK { ?s ?p ?o }").status == 200
    assert sum(FIGURES.fuzz_cases.values()) >= 3_000 * scale


def test_fuzz_bounded(adv_server: RunningServer) -> None:
    _run_all(adv_server, SCALE["bounded"])


@pytest.mark.slow
def test_fuzz_long(adv_server: RunningServer) -> None:
    _run_all(adv_server, SCALE["long"])
