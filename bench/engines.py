"""Compare SPARQL engines on queries typical of this knowledge graph: rdflib's own engine, pyoxigraph,
and oxrdflib (rdflib's API over Oxigraph) when it is installed.

Run on demand (not part of the tests): ``python bench/engines.py [--large-triples N] [--budget SECONDS]``.
Two datasets: a small one (~5k triples) and a synthetic one (~1M triples by default) shaped like a policy
graph (actors, initiatives, places, themes, figures, quotes). Each query is run a few times per engine
and the median is printed. rdflib's engine is far slower on the large graph, so every (engine, query)
pair has a time budget: after a run that exceeds it, the pair is not repeated, and the large graph is
only loaded into rdflib when asked (``--rdflib-large``), which keeps the whole run under five minutes.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib

BASE = "https://w3id.org/morocco-digital-kg/"
KG = BASE + "ontology/"
ID = BASE + "id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PREFIXES = f"PREFIX kg: <{KG}> PREFIX id: <{ID}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
QUERIES = {
    "lookup": PREFIXES + "SELECT ?p ?o WHERE { id:initiative-7 ?p ?o }",
    "join-3": PREFIXES + "SELECT ?i ?a ?place WHERE { ?i a kg:Initiative ; kg:ledBy ?a ; kg:locatedIn ?place . "
    "?a kg:memberOf id:actor-3 } LIMIT 100",
    "count-by-theme": PREFIXES
    + "SELECT ?t (COUNT(?i) AS ?n) WHERE { ?i kg:hasTheme ?t } GROUP BY ?t ORDER BY DESC(?n) LIMIT 10",
    "path": PREFIXES + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { id:actor-3 ^kg:memberOf+ ?x }",
    "text-filter": PREFIXES
    + 'SELECT ?q WHERE { ?q a kg:Quote ; rdfs:label ?l FILTER(CONTAINS(LCASE(?l), "numérique 12")) } LIMIT 20',
    "describe": PREFIXES + "DESCRIBE id:actor-42",
}


@dataclass(frozen=True)
class Engine:
    name: str
    run: Callable[[str], int]


def synthetic_quads(triples: int, seed: int = 7) -> list[tuple[str, str, object, str]]:
    """Quads shaped like the policy graph; roughly ``triples`` of them."""
    rng = random.Random(seed)
    facts = BASE + "graph/facts/synthetic"
    quads: list[tuple[str, str, object, str]] = []
    per_initiative = 7
    initiatives = max(10, triples // (per_initiative + 3))
    actors, places, themes = max(5, initiatives // 10), 60, 25
    for a in range(actors):
        quads.append((ID + f"actor-{a}", RDF_TYPE, KG + "Actor", facts))
        quads.append((ID + f"actor-{a}", LABEL, f"Acteur {a}", facts))
        if a > 3:
            quads.append((ID + f"actor-{a}", KG + "memberOf", ID + f"actor-{rng.randrange(0, a // 2 + 1)}", facts))
    for i in range(initiatives):
        node = ID + f"initiative-{i}"
        quads += [
            (node, RDF_TYPE, KG + "Initiative", facts),
            (node, LABEL, f"Initiative {i}", facts),
            (node, KG + "ledBy", ID + f"actor-{rng.randrange(actors)}", facts),
            (node, KG + "locatedIn", ID + f"place-{rng.randrange(places)}", facts),
            (node, KG + "hasTheme", ID + f"theme-{rng.randrange(themes)}", facts),
            (node, KG + "budgetMAD", rng.randrange(10**6, 10**10), facts),
        ]
        quote = ID + f"quote-{i}"
        quads += [
            (quote, RDF_TYPE, KG + "Quote", facts),
            (quote, LABEL, f"La transition numérique {i % 100} avance", facts),
            (quote, KG + "about", node, facts),
        ]
    return quads


def _ox_term(value: object) -> ox.NamedNode | ox.Literal:
    if isinstance(value, str) and value.startswith("http"):
        return ox.NamedNode(value)
    return (
        ox.Literal(str(value))
        if isinstance(value, str)
        else ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    )


def _rdflib_term(value: object) -> rdflib.term.Node:
    if isinstance(value, str) and value.startswith("http"):
        return rdflib.URIRef(value)
    return rdflib.Literal(value)


def load_pyoxigraph(quads: list[tuple[str, str, object, str]]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(ox.NamedNode(s), ox.NamedNode(p), _ox_term(o), ox.NamedNode(g)) for s, p, o, g in quads)
    return store


def load_rdflib(quads: list[tuple[str, str, object, str]], store: str = "default") -> rdflib.Dataset:
    dataset = rdflib.Dataset(store=store, default_union=True)
    for s, p, o, g in quads:
        dataset.add((rdflib.URIRef(s), rdflib.URIRef(p), _rdflib_term(o), rdflib.URIRef(g)))
    return dataset


def engines(quads: list[tuple[str, str, object, str]], with_rdflib: bool) -> list[Engine]:
    found: list[Engine] = []
    started = time.perf_counter()
    store = load_pyoxigraph(quads)
    print(f"  load pyoxigraph: {time.perf_counter() - started:.2f} s")
    found.append(Engine("pyoxigraph", lambda q: _count(store.query(q, use_default_graph_as_union=True))))
    if importlib.util.find_spec("oxrdflib") is not None:
        started = time.perf_counter()
        oxgraph = load_rdflib(quads, store="Oxigraph")
        print(f"  load oxrdflib: {time.perf_counter() - started:.2f} s")
        found.append(Engine("oxrdflib", lambda q: len(list(oxgraph.query(q)))))
    else:
        print("  oxrdflib: not installed (pip install oxrdflib to include it)")
    if with_rdflib:
        started = time.perf_counter()
        graph = load_rdflib(quads)
        print(f"  load rdflib: {time.perf_counter() - started:.2f} s")
        found.append(Engine("rdflib", lambda q: len(list(graph.query(q)))))
    return found


def _count(result: object) -> int:
    return 1 if isinstance(result, ox.QueryBoolean) else sum(1 for _ in result)  # type: ignore[attr-defined]


def measure(engine: Engine, query: str, repeats: int, budget: float) -> tuple[float, int]:
    """Median seconds over ``repeats`` runs (fewer when one run exceeds ``budget``), and the row count."""
    timings, rows = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        rows = engine.run(query)
        timings.append(time.perf_counter() - started)
        if timings[-1] > budget:
            break
    return statistics.median(timings), rows


def report(title: str, quads: list[tuple[str, str, object, str]], with_rdflib: bool, args: argparse.Namespace) -> None:
    print(f"\n== {title}: {len(quads):,} triples")
    found = engines(quads, with_rdflib)
    names = [engine.name for engine in found]
    print(f"  {'query':<16}" + "".join(f"{name:>14}" for name in names) + "   rows")
    for label, query in QUERIES.items():
        cells, rows = [], 0
        for engine in found:
            median, rows = measure(engine, query, args.repeats, args.budget)
            cells.append(f"{median * 1000:>11.1f} ms")
        print(f"  {label:<16}" + "".join(cells) + f"   {rows}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-triples", type=int, default=5_000)
    parser.add_argument("--large-triples", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--budget", type=float, default=5.0, help="stop repeating a query after a run this long")
    parser.add_argument("--rdflib-large", action="store_true", help="also load the large graph into rdflib")
    args = parser.parse_args(argv)
    report("small graph", synthetic_quads(args.small_triples), True, args)
    report("large graph", synthetic_quads(args.large_triples), args.rdflib_large, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
