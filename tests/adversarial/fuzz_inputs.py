"""What the fuzzer sends: generated SPARQL (token soup and grammar-shaped queries), the parts of malformed
HTTP requests, and saved-query parameters.

Kept apart from the runners in :mod:`tests.adversarial.test_fuzz` so that a reviewer can read the
input space on its own: every strategy here is data about hostile or odd input, none of it talks to
a server.
"""

from __future__ import annotations

import gzip

from hypothesis import strategies as st

from tests.adversarial.adversarial_support import ONTOLOGY, RDFS
from tests.server.server_support import ID

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
