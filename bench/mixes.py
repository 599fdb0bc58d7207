"""The two request mixes: saved queries repeated as dashboards and pages repeat them, and ad-hoc queries
whose every text is new.

Every server gets the same queries. This server answers the saved-query mix through its saved-query API
(``/queries/<name>?...``); the other servers get the very text that API evaluates (parameters bound, and
for paginated queries the page query with its one-row probe), sent to their SPARQL endpoint.
"""

from __future__ import annotations

import itertools
import random
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.loadgen import http_get

BASE = "https://w3id.org/morocco-digital-kg/"
ACCEPT = {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}
PREFIXES = (
    f"PREFIX mdk: <{BASE}ontology/>\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
WORDS = ("maroc", "intelligence", "institut", "jazari", "africa", "digital", "data", "cloud", "rabat", "france")
CLASSES = ("Initiative", "Organisation", "Person", "Place", "Theme", "Figure", "Quote", "Fact", "Agent", "Programme")


@dataclass(frozen=True)
class SavedCall:
    """One saved query with its arguments: the API path for this server, the bound text for the others."""

    name: str
    api_path: str
    query: str


def saved_calls(queries_dir: Path, max_rows: int = 10_000) -> list[SavedCall]:
    """Each saved query with its example arguments, in French too, and page 2 of paginated ones.

    The text for the other servers is what this one evaluates: bound, paginated with its probe row, and
    wrapped under the row cap (``max_rows + 1``), without which they would serialise results this server
    never produces (96 MB for one query on the synthetic corpus).
    """
    from core.call import prepare_call
    from core.catalogue import load_catalogue

    calls = []
    for saved in load_catalogue(queries_dir):
        base = saved.example_values()
        variants = [base]
        if saved.parameter("lang") is not None:
            variants.append({**base, "lang": "fr"})
        if saved.pagination:
            variants.append({**base, "page": "2"})
        for arguments in variants:
            prepared = prepare_call(saved, {k: [v] for k, v in arguments.items()}, max_rows)
            text = "\n".join(
                line for line in (prepared.probe_query or prepared.query).splitlines() if not line.startswith("#+")
            )  # the decorators: comments, long in a URL
            text = _row_capped(text, max_rows + 1)
            path = f"/queries/{saved.name}" + (f"?{urllib.parse.urlencode(arguments)}" if arguments else "")
            calls.append(SavedCall(saved.name, path, text))
    return calls


def _row_capped(text: str, limit: int) -> str:
    """The text this server evaluates under its row cap, so the other servers do the same work."""
    from core.guard import Limits, analyse

    return analyse(text, Limits()).row_capped(text, limit) or text


def saved_paths(calls: list[SavedCall], endpoint: str | None) -> list[str]:
    """The path of each call: ``endpoint`` None means the saved-query API of this server, else the text
    this server evaluates, sent to ``endpoint``."""
    if endpoint is None:
        return [call.api_path for call in calls]
    return [f"{endpoint}?{urllib.parse.urlencode({'query': call.query})}" for call in calls]


def saved_source(calls: list[SavedCall], endpoint: str | None, host: str) -> Callable[[int], bytes]:
    """Requests cycling through ``calls`` (see :func:`saved_paths` for ``endpoint``).

    Each client starts at its own place in the cycle, so that at any moment several queries are in flight.
    """
    requests = [http_get(host, path, ACCEPT) for path in saved_paths(calls, endpoint)]
    cycles: dict[int, itertools.cycle[bytes]] = {}

    def next_request(client: int) -> bytes:
        if client not in cycles:
            start = (client * 7) % len(requests)
            cycles[client] = itertools.cycle(requests[start:] + requests[:start])
        return next(cycles[client])

    return next_request


def adhoc_query(index: int, entities: list[str], rng: random.Random) -> str:
    """The ``index``-th ad-hoc query: one of seven shapes, with values no other index repeats.

    The unique part is a real parameter of the query (a bound, a literal, an offset) or a LIMIT above what
    the query can return, so the work done is that of the query itself.
    """
    entity = entities[rng.randrange(len(entities))]
    unique = 100_000 + index
    shape = index % 7
    if shape == 0:
        return f"SELECT ?p ?o WHERE {{ <{entity}> ?p ?o }} LIMIT {unique}"
    if shape == 1:
        return f"CONSTRUCT {{ <{entity}> ?p ?o }} WHERE {{ <{entity}> ?p ?o }} LIMIT {unique}"
    if shape == 2:
        word = WORDS[rng.randrange(len(WORDS))]
        return (
            PREFIXES + f'SELECT ?e ?l WHERE {{ ?e rdfs:label ?l FILTER(CONTAINS(LCASE(STR(?l)), "{word}")'
            f" && STRLEN(?l) < {unique}) }}"
            f" LIMIT {20 + index % 50} OFFSET {index % 13}"
        )
    if shape == 3:
        return (
            PREFIXES + f"SELECT ?q ?text ?s ?p WHERE {{ ?q a mdk:Quote ; mdk:paragraph {1 + rng.randrange(30)} ;"
            f" mdk:exactText ?text . ?f mdk:supportedBy ?q ; rdf:subject ?s ; rdf:predicate ?p }} LIMIT {unique}"
        )
    if shape == 4:
        kind = CLASSES[rng.randrange(len(CLASSES))]
        return (
            PREFIXES + f"SELECT ?x ?l WHERE {{ ?x a mdk:{kind} ; rdfs:label ?l"
            f' FILTER(LANG(?l) = "en" && STRLEN(?l) < {unique}) }}'
            f" LIMIT {20 + index % 80} OFFSET {index % 11}"
        )
    if shape == 5:
        return (
            PREFIXES + f"SELECT ?q ?b WHERE {{ ?q mdk:beginIndex ?b FILTER(?b > {index % 20_000} && ?b < {unique}) }}"
            f" ORDER BY ?b LIMIT {10 + index % 40}"
        )
    return PREFIXES + f"ASK {{ ?q mdk:beginIndex {index % 20_000} ; mdk:paragraph ?p FILTER(?p < {unique}) }}"


def lookup_query(index: int) -> str:
    """The ``index``-th light lookup: one triple pattern on a label no other index asks for."""
    return f'SELECT ?s WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "label {index}"@en }}'


def lookup_source(endpoint: str, host: str, counter: itertools.count[int]) -> Callable[[int], bytes]:
    """One-pattern queries, each text new: the cost of a small query that no cache can answer."""

    def next_request(client: int) -> bytes:
        text = lookup_query(next(counter))
        return http_get(host, f"{endpoint}?{urllib.parse.urlencode({'query': text})}", ACCEPT)

    return next_request


def adhoc_source(
    entities: list[str], endpoint: str, host: str, counter: itertools.count[int], seed: int = 8
) -> Callable[[int], bytes]:
    """Requests with a fresh query text every time; keep one ``counter`` per server across its runs."""
    rng = random.Random(seed)

    def next_request(client: int) -> bytes:
        text = adhoc_query(next(counter), entities, rng)
        return http_get(host, f"{endpoint}?{urllib.parse.urlencode({'query': text})}", ACCEPT)

    return next_request
