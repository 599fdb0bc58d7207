"""Fuzzing: generated SPARQL, malformed HTTP, saved-query parameters and the OpenAPI description.

Whatever arrives, the answer is one of :data:`ALLOWED_STATUSES` (never a 500, never a dropped
connection), and the server is alive and serving afterwards. The default run is bounded (about 3,300
cases, the same ones every run, most of them cheap requests on keep-alive connections: about a minute on
two cores); ``-m slow`` runs thirty times more (about 100,000), drawing new cases each time.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import urllib.parse
from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.adversarial.adversarial_support import ALLOWED_STATUSES, FIGURES, ONTOLOGY, RDFS, KeepAlive
from tests.server.server_support import ID, RunningServer

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


# token-level SPARQL ---------------------------------------------------------------------------------
TOKENS = [
    *[
        "SELECT",
        "ASK",
        "CONSTRUCT",
        "DESCRIBE",
        "WHERE",
        "FROM",
        "NAMED",
        "GRAPH",
        "OPTIONAL",
        "UNION",
        "MINUS",
        "FILTER",
        "BIND",
        "AS",
        "VALUES",
        "SERVICE",
        "SILENT",
        "GROUP",
        "BY",
        "HAVING",
        "ORDER",
        "ASC",
        "DESC",
        "LIMIT",
        "OFFSET",
        "DISTINCT",
        "REDUCED",
        "EXISTS",
        "NOT",
        "IN",
        "PREFIX",
        "BASE",
        "a",
        "INSERT",
        "DELETE",
        "DATA",
        "LOAD",
        "CLEAR",
        "DROP",
        "WITH",
        "COUNT",
        "SUM",
        "GROUP_CONCAT",
        "SEPARATOR",
        "REGEX",
        "STR",
        "LANG",
        "IRI",
        "BNODE",
        "UNDEF",
        "true",
        "false",
    ],
    *[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        ".",
        ";",
        ",",
        "*",
        "+",
        "?",
        "|",
        "/",
        "^",
        "!",
        "=",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "&&",
        "||",
        "-",
        "@en",
        "^^",
        ":",
    ],
    "?s",
    "?p",
    "?o",
    "$x",
    "_:b",
    "ex:p",
    "rdfs:label",
    "<urn:x>",
    f"<{ID}morocco>",
    f"<{RDFS}label>",
    '"lit"',
    "'x'",
    '"""long"""',
    '"\\u0022"',
    "1",
    "-2.5e3",
    "0x10",
    "\\u0053ERVICE",
    "#",
    "\n",
    "\x00",
    "<file:///etc/passwd>",
    "<http://127.0.0.1:9/>",
    "é",
    "\ud7ff",
    "\U0001f600",
]


@st.composite
def token_queries(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=6)), max_size=40))
    return " ".join(pieces)


# grammar-based SPARQL -------------------------------------------------------------------------------
VARIABLES = st.sampled_from(["?s", "?p", "?o", "?x", "?label", "?n"])
TERMS = st.one_of(
    VARIABLES,
    st.sampled_from([f"<{ID}morocco>", f"<{ID}jazari-root>", f"<{ONTOLOGY}Institute>", "<urn:none>", "_:b1"]),
    st.sampled_from(['"Maroc"@fr', '"x"', "42", "3.14", "true", '"2030"^^<http://www.w3.org/2001/XMLSchema#gYear>']),
)
PREDICATES = st.sampled_from(
    [
        "?p",
        "a",
        f"<{RDFS}label>",
        f"<{ONTOLOGY}locatedIn>",
        f"<{ONTOLOGY}partOf>+",
        f"<{ONTOLOGY}partOf>*",
        f"(<{ONTOLOGY}partOf>|^<{ONTOLOGY}hasPart>)",
        f"!<{RDFS}label>",
        f"<{ONTOLOGY}theme>/<{RDFS}label>",
    ]
)
EXPRESSIONS = st.sampled_from(
    [
        "LANG(?label) = 'en'",
        "isIRI(?s)",
        "REGEX(STR(?o), '^(a|aa)+$', 'i')",
        "STRLEN(STR(?o)) > 10",
        "?n > 3",
        "CONTAINS(LCASE(STR(?label)), 'ia')",
        "BOUND(?x)",
        "?o IN (1, 2, 'x')",
        "1/0 = 1",
        "STRDT('x', <urn:t>) = ?o",
    ]
)


def _patterns() -> st.SearchStrategy[str]:
    triple = st.builds(lambda s, p, o: f"{s} {p} {o} .", TERMS, PREDICATES, TERMS)
    leaf = st.one_of(
        triple,
        st.builds(lambda e: f"FILTER({e})", EXPRESSIONS),
        st.builds(lambda e, v: f"BIND(STR({v}) AS ?b{len(e) % 3})", EXPRESSIONS, VARIABLES),
        st.builds(lambda v, t: f"VALUES {v} {{ {t} UNDEF }}", VARIABLES, TERMS),
    )

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.builds(lambda a, b: f"{a} {b}", inner, inner),
            st.builds(lambda a: f"OPTIONAL {{ {a} }}", inner),
            st.builds(lambda a, b: f"{{ {a} }} UNION {{ {b} }}", inner, inner),
            st.builds(lambda a: f"MINUS {{ {a} }}", inner),
            st.builds(lambda a: f"GRAPH ?g {{ {a} }}", inner),
            st.builds(lambda a: f"FILTER NOT EXISTS {{ {a} }}", inner),
            st.builds(lambda a: f"{{ SELECT * WHERE {{ {a} }} LIMIT 3 }}", inner),
        )

    return st.recursive(leaf, extend, max_leaves=8)


@st.composite
def grammar_queries(draw: st.DrawFn) -> str:
    where = draw(_patterns())
    form = draw(
        st.sampled_from(
            [
                "SELECT *",
                "SELECT DISTINCT ?s ?o",
                "SELECT (COUNT(*) AS ?n)",
                "SELECT ?s (GROUP_CONCAT(STR(?o); SEPARATOR='|') AS ?all)",
                "ASK",
                "CONSTRUCT { ?s ?p ?o }",
                "DESCRIBE ?s",
            ]
        )
    )
    dataset = draw(st.sampled_from(["", "FROM <urn:g>", f"FROM NAMED <{ID}graph>", ""]))
    group = " GROUP BY ?s" if "GROUP_CONCAT" in form else ""
    modifiers = draw(st.sampled_from(["", " LIMIT 5", " ORDER BY ?s LIMIT 3", " OFFSET 2 LIMIT 2", " LIMIT 0"]))
    if form.startswith(("ASK", "CONSTRUCT", "DESCRIBE")) and "ORDER" in modifiers:
        modifiers = " LIMIT 5"
    return f"{form} {dataset} WHERE {{ {where} }}{group}{modifiers}"


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


# malformed HTTP --------------------------------------------------------------------------------------
HTTP_METHODS = st.sampled_from(
    ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "get", "G-T", "X"]
)
PATHS = st.sampled_from(
    [
        "/sparql",
        "/sparql?query=ASK%7B%7D",
        "/sparql?query=%ZZ",
        "/sparql?query=%C3%28",
        "/sparql?query=ASK{}&query=ASK{}",
        "/sparql?update=CLEAR%20ALL",
        "/sparql?default-graph-uri=file:///etc/passwd&query=ASK%7B%7D",
        "/sparql?format=xml&output=csv&results=nonsense&query=SELECT%20*%7B%7D",
        "/health",
        "/openapi.json",
        "/queries",
        "/queries/themes",
        "/queries/entity?entity=%00",
        "/queries/actors?page=-1",
        "/queries/actors?page=99999999999999999999",
        "/queries/nope",
        "/dumps/",
        "/dumps/kg.ttl",
        "/dumps/../manifest.json",
        "/dumps/%2e%2e/manifest.json",
        "/.well-known/void",
        "//sparql",
        "/sparql/",
        "*",
        "http://127.0.0.1:9/sparql",
        "/" + "a" * 5000,
        "/sparql?" + "x=1&" * 500,
        "/\u00e9",
    ]
)
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/sparql-query",
        "application/sparql-query; charset=latin-1",
        "application/sparql-update",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=utf-16",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "text/plain",
        "application/json",
        "",
        ";;;",
        "application/sparql-query; charset=",
    ]
)
HEADERS = st.lists(
    st.sampled_from(
        [
            ("Accept", "*/*"),
            ("Accept", "text/html"),
            ("Accept", "application/nonsense"),
            ("Accept", "text/turtle;q=abc, */*;q=-1"),
            ("Accept", "application/sparql-results+json;q=0"),
            ("Accept", "," * 300),
            ("Accept-Encoding", "gzip, br, zstd"),
            ("Content-Encoding", "gzip"),
            ("If-None-Match", '"abc", W/"x", *'),
            ("If-Modified-Since", "yesterday"),
            ("Range", "bytes=5-1,0-0"),
            ("Range", "bytes=0-99999999999999999999"),
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "DELETE"),
            ("X-Forwarded-For", "::1, 10.0.0.1"),
            ("Expect", "100-continue"),
            ("Host", ""),
            ("Host", "a" * 300),
            ("Cookie", "session=" + "x" * 1000),
            ("X-Long", "y" * 7000),
            ("Authorization", "Basic Og=="),
        ]
    ),
    max_size=5,
)
BODIES = st.one_of(
    st.just(b""),
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"query=ASK%7B%7D",
            b"query=SELECT%20*%20%7B%20SERVICE%20%3Chttp%3A%2F%2F127.0.0.1%3A9%2F%3E%20%7B%7D%20%7D",
            b"update=DROP%20ALL",
            b"ASK {}",
            b"SELECT * WHERE { ?s ?p ?o } LIMIT 1",
            b"\xff\xfe\x00A\x00S\x00K",
            b"query=%",
            b"query=" + b"%7B" * 300,
            b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\nASK {}\r\n--x--\r\n',
            gzip.compress(b"query=ASK%7B%7D"),
            b"{" * 2_000_000,
        ]
    ),
)
VERSIONS = st.sampled_from(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/9.9", "HTTP/1.1 extra", ""])


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


# saved-query parameters ------------------------------------------------------------------------------
SAVED_NAMES = st.sampled_from(
    ["themes", "entity", "actors", "figures", "find-entity", "quotes-search", "paragraph", "timeline", "nope", "%00"]
)
SAVED_KEYS = st.sampled_from(["entity", "kind", "country", "text", "paragraph", "page", "lang", "year", "format", "q"])
SAVED_VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            f"{ID}morocco",
            ID + "morocco> ?p ?o } UNION { ?s ?p ?o",
            '") } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #',
            "file:///etc/passwd",
            "0",
            "-1",
            "1e309",
            "99999999999999999999",
            "en",
            "\\u0022",
            "json",
            "x" * 3000,
        ]
    ),
)


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
