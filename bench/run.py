"""The HTTP benchmark: this server, ``oxigraph serve`` and rdflib-endpoint side by side, one command.

``.venv/bin/python -m bench.run`` (about 13 minutes) or ``--quick`` (about 3 minutes). On 127.0.0.1, for
each dataset (the interview graph from a fresh ``kg build``, and a seeded synthetic corpus of about a
million triples shaped like it) and each mix (saved queries repeated; ad-hoc queries never repeated), it
drives each server with the same closed loop (N keep-alive clients for T seconds), after the same warm-up
(each client sends the saved cycle once, then T/4 seconds of ad-hoc queries). This server and
``oxigraph serve`` are run alternately, A B A B, and rdflib-endpoint after them (its unfinished queries
keep running after a run ends, and would otherwise slow the next server down). It prints requests per
second, p50/p99 latency, errors, peak memory of each server's process tree, and ratios against
``oxigraph serve``; the CPU each server's processes and the load generator spend per request; then
build time, cold start to first answer, memory per process, and the load generator's own ceiling.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench import servers, slowclients
from bench.loadgen import LoadResult, measure_ceiling, run_load
from bench.mixes import ACCEPT, SavedCall, adhoc_source, lookup_source, saved_calls, saved_paths, saved_source
from bench.report import MB, Row, cpu_table, results_table, versus_table
from bench.synthetic import generate, sample_entities

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache"
HOST = "127.0.0.1"


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="about 3 minutes: shorter runs, smaller corpus")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive clients (default: 4)")
    parser.add_argument("--seconds", type=float, help="length of one run (default: 8, quick: 3)")
    parser.add_argument("--rounds", type=int, help="runs per server and mix, alternated (default: 2, quick: 1)")
    parser.add_argument("--large", type=int, help="triples of the synthetic corpus (default: 1000000, quick: 200000)")
    parser.add_argument("--http-workers", type=int, help="kg serve --http-workers (default: kg serve's own)")
    parser.add_argument("--slow", type=int, help="slow-loris connections (default: 1000, quick: 200)")
    parser.add_argument("--idle", type=int, help="idle keep-alive connections (default: 10000, quick: 1000)")
    parser.add_argument("--no-rdflib", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    options = parser.parse_args(argv)
    options.seconds = options.seconds or (3.0 if options.quick else 8.0)
    options.rounds = options.rounds or (1 if options.quick else 2)
    options.large = options.large or (200_000 if options.quick else 1_000_000)
    options.slow = options.slow or (200 if options.quick else 1000)
    options.idle = options.idle or (1000 if options.quick else 10_000)
    return options


def timed_build(work: Path) -> tuple[Path, float]:
    """``kg build`` into a fresh directory, timed (reasoner, SHACL, checks and dumps included)."""
    build = work / "build"
    started = time.monotonic()
    subprocess.run(
        [str(REPO / ".venv" / "bin" / "kg"), "build", "--build-dir", str(build)],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    return build, time.monotonic() - started


def request_sources(
    server: servers.Server, mix: str, calls: list, entities: list[str], counters: dict[str, itertools.count[int]]
) -> Callable[[int], bytes]:
    if mix == "saved":
        return saved_source(calls, None if server.saved_api else server.endpoint, HOST)
    counter = counters.setdefault(server.name, itertools.count())
    if mix == "lookup":
        return lookup_source(server.endpoint, HOST, counter)
    return adhoc_source(entities, server.endpoint, HOST, counter)


def measure(server: servers.Server, source: Callable[[int], bytes], clients: int, seconds: float) -> tuple:
    """One run: the load result, peak RSS and PSS, the server's CPU by process, the load generator's CPU."""
    with servers.MemorySampler(server) as sampler, servers.CpuMeter(server) as meter:
        client_started = time.process_time()  # this process: the load generator (and the light sampler)
        result = run_load(HOST, server.port, clients, seconds, source)
        client_cpu = time.process_time() - client_started
    time.sleep(0.3)
    return result, sampler.peak_rss, sampler.peak_pss, meter.by_kind, client_cpu


def bench_dataset(
    label: str, build: Path, options: argparse.Namespace, peers: Path, logs: Path, facts: dict[str, object]
) -> list[Row]:
    calls = saved_calls(REPO / "queries")
    entities = sample_entities(build)
    nquads = build / "kg.nq"
    print(f"\n## {label}: starting servers", flush=True)
    kg = servers.start_kg(build, logs, http_workers=options.http_workers)
    oxigraph = servers.start_oxigraph(peers, nquads, logs)
    facts[f"cold start {label}"] = {"kg serve": kg.cold_start, "oxigraph serve": oxigraph.cold_start}
    rows: dict[tuple[str, str], Row] = {}
    counters: dict[str, itertools.count[int]] = {}
    try:
        problems = compare_answers(kg, oxigraph, calls)
        for problem in problems:
            print(f"  left out of the mix, answers differ: {problem}", flush=True)
        calls = [call for call in calls if not any(p.startswith(call.api_path + ":") for p in problems)]
        facts[f"saved calls {label}"] = f"{len(calls)} in the mix" + (
            f", left out: {'; '.join(problems)}" if problems else ""
        )
        for server in (kg, oxigraph):  # both measured warm, as dashboards repeating these calls find them
            started = time.perf_counter()
            warm_up(server, calls, options.clients)
            run_load(
                HOST,
                server.port,
                options.clients,
                options.seconds / 4,
                request_sources(server, "ad-hoc", calls, entities, counters),
            )
            print(f"  warm-up {server.name}: {time.perf_counter() - started:.1f} s", flush=True)
        for mix in ("saved", "ad-hoc", "lookup"):
            for round_index in range(options.rounds):
                order = (kg, oxigraph) if round_index % 2 == 0 else (oxigraph, kg)
                for server in order:
                    _run_one(rows, label, mix, server, options, calls, entities, counters)
        facts[f"memory per process {label}"] = _process_memory(kg)
        if label.startswith("interview"):
            facts["slow and idle clients"] = slow_clients(kg, oxigraph, options)
    finally:
        kg.stop()
        oxigraph.stop()
    if not options.no_rdflib and not (options.quick and label != "interview"):
        print(f"## {label}: rdflib-endpoint", flush=True)
        rdflib = servers.start_rdflib_endpoint(peers, nquads, logs, timeout=900)
        facts[f"cold start {label}"]["rdflib-endpoint"] = rdflib.cold_start  # type: ignore[index]
        try:  # no cache to fill, but its code paths warm up like the others' (the saved cycle would take minutes)
            run_load(
                HOST,
                rdflib.port,
                options.clients,
                options.seconds / 4,
                request_sources(rdflib, "ad-hoc", calls, entities, counters),
            )
            for mix in ("saved", "ad-hoc", "lookup"):
                for _ in range(options.rounds):
                    _run_one(rows, label, mix, rdflib, options, calls, entities, counters)
        finally:
            rdflib.stop()
    return list(rows.values())


def warm_up(server: servers.Server, calls: list[SavedCall], clients: int) -> None:
    """Every client connection sends the whole saved cycle once, all connections open together.

    Each HTTP worker of this server keeps its own cache, and a connection stays with one worker, so this
    fills every worker's cache whatever the split; a time-bounded warm-up left most of the cycle cold at a
    million triples, where one call costs up to 1.5 s.
    """
    paths = saved_paths(calls, None if server.saved_api else server.endpoint)
    connections = [http.client.HTTPConnection(HOST, server.port, timeout=300) for _ in range(clients)]
    for connection in connections:
        connection.connect()

    def cycle(index: int) -> None:
        for path in paths[index:] + paths[:index]:
            # the Host header the load generator sends: it is part of the base IRI, so of the cache key
            connections[index].request("GET", path, headers={**ACCEPT, "Host": HOST})
            connections[index].getresponse().read()

    threads = [threading.Thread(target=cycle, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for connection in connections:
        connection.close()


def _run_one(
    rows: dict[tuple[str, str], Row],
    label: str,
    mix: str,
    server: servers.Server,
    options: argparse.Namespace,
    calls: list,
    entities: list[str],
    counters: dict[str, itertools.count[int]],
) -> None:
    source = request_sources(server, mix, calls, entities, counters)
    result, rss, pss, server_cpu, client_cpu = measure(server, source, options.clients, options.seconds)
    print(f"  {mix:6} {server.name:16} {result.rate:9.1f} req/s  errors {result.errors}", flush=True)
    key = (mix, server.name)
    if key in rows:
        row = rows[key]
        row.result = row.result.merge(result)
        row.peak_rss, row.peak_pss = max(row.peak_rss, rss), max(row.peak_pss, pss)
    else:
        row = rows[key] = Row(label, mix, server.name, result, rss, pss)
    for kind, spent in server_cpu.items():
        row.server_cpu[kind] = row.server_cpu.get(kind, 0.0) + spent
    row.client_cpu += client_cpu


def slow_clients(kg: servers.Server, oxigraph: servers.Server, options: argparse.Namespace) -> dict[str, str]:
    """The slow-loris and idle-connection scenarios on both servers, one after the other."""
    figures = {}
    for server in (kg, oxigraph):
        path = f"{server.endpoint}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
        for scenario, count in (("trickle", options.slow), ("idle", options.idle)):
            result = slowclients.run(scenario, HOST, server.port, count, 12.0, path)
            print(f"  {server.name}: {result.line()}", flush=True)
            figures[f"{server.name}, {scenario}"] = result.line()
            time.sleep(1)
    return figures


_PROCESS_KINDS = {
    "kg-http": "HTTP worker (event loop, Flask, answer cache)",
    "kg-evaluation": "evaluation service (forks the evaluators)",
    "kg-evaluator": "evaluator",
}


def _process_memory(kg: servers.Server) -> dict[str, str]:
    """RSS and PSS of each kind of process in this server's tree (PSS counts shared pages once)."""
    summary: dict[str, list[tuple[int, int]]] = {}
    for pid in kg.pids():
        name = servers.process_kind(pid)
        if not name:
            continue  # gone since the tree was listed
        kind = _PROCESS_KINDS.get(name, "supervisor (forks the HTTP workers)")
        summary.setdefault(kind, []).append(servers.memory_of(pid))
    return {
        name: f"{len(values)} x RSS {sum(r for r, _ in values) / len(values) / MB:,.0f} MB, "
        f"PSS {sum(p for _, p in values) / len(values) / MB:,.0f} MB"
        for name, values in summary.items()
    }


def compare_answers(kg: servers.Server, oxigraph: servers.Server, calls: list[SavedCall]) -> list[str]:
    """Each saved query once on both servers (this also warms them): same status and number of results.

    A guard against comparing different work. Returns what disagrees; the caller leaves those calls out of
    the mix. A query this server stops at its deadline is not sent to ``oxigraph serve``, which has no
    usable deadline and would go on evaluating it during the next runs.
    """
    problems = []
    for call in calls:
        ours = _fetch(kg.port, call.api_path)
        if ours[0] != 200:
            problems.append(f"{call.api_path}: kg serve answered {ours[0]} (not sent to oxigraph serve)")
            continue
        theirs = _fetch(oxigraph.port, f"/query?{urllib.parse.urlencode({'query': call.query})}")
        # a page answer lacks the probe row the text for the other servers asks for
        if ours != theirs and ours != (theirs[0], theirs[1] - 1):
            problems.append(f"{call.api_path}: kg serve {ours}, oxigraph serve {theirs}")
    return problems


def _fetch(port: int, path: str) -> tuple[int, int]:
    """(status, number of solutions or of lines) of one answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=ACCEPT)
        response = connection.getresponse()
        body = response.read()
    except TimeoutError:
        return 0, 0
    finally:
        connection.close()
    if response.status != 200:
        return response.status, 0
    if response.getheader("Content-Type", "").startswith("application/sparql-results+json"):
        answer = json.loads(body)
        return 200, len(answer["results"]["bindings"]) if "results" in answer else int(answer["boolean"])
    return 200, len(list(ox.parse(body, format=ox.RdfFormat.TURTLE)))


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    started = time.monotonic()
    peers = servers.ensure_peers()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    logs = work / "logs"
    logs.mkdir()
    facts: dict[str, object] = {}
    try:
        ceiling = measure_ceiling(servers.free_port(), options.clients, 2.0)
        facts["load generator ceiling (req/s, trivial server)"] = round(ceiling.rate)
        small, facts["kg build (s)"] = timed_build(work)
        print(f"kg build: {facts['kg build (s)']:.1f} s; load generator ceiling {ceiling.rate:,.0f} req/s", flush=True)
        large = generate(small / "kg.nq", options.large, CACHE)
        large_triples = json.loads((large / "manifest.json").read_text())["triples"]
        small_triples = json.loads((small / "manifest.json").read_text())["triples"]
        rows = bench_dataset(f"interview ({small_triples:,} triples)", small, options, peers, logs, facts)
        rows += bench_dataset(f"synthetic ({large_triples:,} triples)", large, options, peers, logs, facts)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    facts["total time (s)"] = round(time.monotonic() - started)
    print_report(rows, facts, options)
    if options.json:
        options.json.write_text(json.dumps({"rows": [_row_json(r) for r in rows], "facts": facts}, indent=2))
    return 0


def _row_json(row: Row) -> dict[str, object]:
    result: LoadResult = row.result
    return {
        "data": row.dataset,
        "mix": row.mix,
        "server": row.server,
        "req_s": result.rate,
        "p50_ms": row.p50,
        "p99_ms": row.p99,
        "errors": result.errors,
        "completed": result.completed,
        "seconds": result.seconds,
        "peak_rss_mb": row.peak_rss / MB,
        "peak_pss_mb": row.peak_pss / MB,
        "server_cpu_us_per_request": {kind: row.cpu_per_request(spent) for kind, spent in row.server_cpu.items()},
        "client_cpu_us_per_request": row.cpu_per_request(row.client_cpu),
    }


def print_report(rows: list[Row], facts: dict[str, object], options: argparse.Namespace) -> None:
    print(
        f"\n# Results ({options.clients} clients, {options.rounds} x {options.seconds:g} s per server and mix,"
        f" kg serve --http-workers {options.http_workers} --workers 2)\n"
    )
    print(results_table(rows))
    print()
    print(cpu_table(rows))
    if not options.no_rdflib:
        print()
        print(versus_table(rows, "kg serve", "rdflib-endpoint"))
    print()
    for name, value in facts.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}: {v:.2f} s" if isinstance(v, float) else f"{k}: {v}" for k, v in value.items())
            print(f"- {name}: {shown}")
        else:
            print(f"- {name}: {value:.1f}" if isinstance(value, float) else f"- {name}: {value}")


if __name__ == "__main__":
    sys.exit(main())
