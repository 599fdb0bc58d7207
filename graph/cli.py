"""The ``kg`` command: build, dump, stats, query (and serve and publish, from the server package)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from core.errors import BuildError
from graph.dumps import FORMATS
from graph.settings import BuildSettings


def _settings(args: argparse.Namespace, **extra: object) -> BuildSettings:
    return BuildSettings.from_env(
        None,
        build_dir=getattr(args, "build_dir", None),
        base_iri=getattr(args, "base_iri", None),
        seeds_dir=getattr(args, "seeds_dir", None),
        ontology_dir=getattr(args, "ontology_dir", None),
        **extra,
    )


def cmd_build(args: argparse.Namespace) -> int:
    from graph.build import build

    settings = _settings(args, reasoner=not args.no_reasoner, docs=not args.no_docs)
    started = time.perf_counter()
    try:
        result, manifest = build(settings)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        print(f"the previous build in {settings.build_dir} is unchanged", file=sys.stderr)
        return 1
    written = time.perf_counter()
    stats = result.stats
    print(
        f"built {manifest['triples']} triples in {len(manifest['graphs'])} named graphs "
        f"in {result.timings['total']:.1f} s -> {settings.build_dir}"
    )
    print(f"  {stats['entities']} entities, {stats['facts']} facts, {stats['quotes']} quotes")
    for doc_id, coverage in stats["coverage"].items():
        print(
            f"  {doc_id}: {coverage['covered']}/{coverage['factual_sentences']} factual sentences covered "
            f"({coverage['coverage_of_factual']:.1%})"
        )
    print(f"  version {manifest['version'][:16]}")
    if args.verbose:
        stages = [f"{stage} {seconds:.2f} s" for stage, seconds in result.timings.items() if stage != "total"]
        print(f"  stages: {', '.join(stages)}; written in {written - started:.1f} s in all")
    return 0


def cmd_dump(args: argparse.Namespace) -> int:
    from graph.build import read_manifest

    settings = _settings(args)
    try:
        read_manifest(settings.build_dir)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    data = (settings.build_dir / FORMATS[args.format].file).read_bytes()
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from graph.build import STATS, read_manifest

    settings = _settings(args)
    try:
        read_manifest(settings.build_dir)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    stats = json.loads((settings.build_dir / STATS).read_text(encoding="utf-8"))
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
        return 0
    print(render_stats(stats))
    return 0


def render_stats(stats: dict) -> str:
    lines = [f"triples: {stats['triples']}", "named graphs:"]
    lines += [f"  {v['triples']:>7}  {g}  ({v['role']})" for g, v in stats["graphs"].items()]
    lines.append(f"entities: {stats['entities']}")
    lines += [f"  {n:>4}  {cls}" for cls, n in stats["entities_per_class"].items()]
    lines.append(f"facts: {stats['facts']}   quotes: {stats['quotes']}")
    for doc_id, cov in stats["coverage"].items():
        lines.append(
            f"coverage of {doc_id}: {cov['covered']} of {cov['factual_sentences']} factual sentences "
            f"({cov['coverage_of_factual']:.1%}); {cov['sentences']} sentences in all"
        )
        if cov["not_factual"]:
            lines.append("  not factual (reason given in document.yaml):")
            lines += [f"    p{s['paragraph']}: {s['sentence']}  [{s['reason']}]" for s in cov["not_factual"]]
        if cov["uncovered"]:
            lines.append("  uncovered:")
            lines += [f"    p{s['paragraph']}: {s['sentence']}" for s in cov["uncovered"]]
    return "\n".join(lines)


def cmd_query(args: argparse.Namespace) -> int:
    from graph.local_query import LocalQueryError, run_local_query

    settings = _settings(args)
    if args.saved:
        from graph.saved_query import run_saved

        return run_saved(settings.build_dir, settings.queries_dir, args.saved, args.param, args.format)
    text = Path(args.file).read_text(encoding="utf-8") if args.file else args.query
    if not text:
        print("give a query, or --file FILE", file=sys.stderr)
        return 2
    try:
        output = run_local_query(settings.build_dir, text, args.format)
    except (BuildError, LocalQueryError) as exc:
        print(exc, file=sys.stderr)
        return 1
    sys.stdout.write(output)
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kg", description="Morocco digital-policy knowledge graph.")
    sub = top.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--build-dir", type=Path, help="where builds are written (default graph/build)")
        return p

    build = common(sub.add_parser("build", help="build the graph from ontology/ and seeds/"))
    build.add_argument("--base-iri", help="base IRI of the data (default https://w3id.org/morocco-digital-kg/)")
    build.add_argument("--seeds-dir", type=Path)
    build.add_argument("--ontology-dir", type=Path)
    build.add_argument("--no-reasoner", action="store_true", help="skip HermiT (no inferences graph)")
    build.add_argument("--no-docs", action="store_true", help="skip the pyLODE documentation")
    build.add_argument("-v", "--verbose", action="store_true", help="show the time each stage of the build took")
    build.set_defaults(func=cmd_build)

    dump = common(sub.add_parser("dump", help="write one dump of the last build"))
    dump.add_argument("--format", choices=sorted(FORMATS), default="turtle")
    dump.add_argument("-o", "--output", help="file to write (default: standard output)")
    dump.set_defaults(func=cmd_dump)

    stats = common(sub.add_parser("stats", help="sizes, entities per class, facts, coverage"))
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)

    query = common(sub.add_parser("query", help="run a SPARQL query on the last build"))
    query.add_argument("query", nargs="?", help="the SPARQL query text")
    query.add_argument("--file", help="read the query from a file")
    query.add_argument("--saved", metavar="NAME", help="run the saved query queries/NAME.rq (see /queries)")
    query.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter of the saved query (repeatable)"
    )
    query.add_argument(
        "--format", choices=["table", "json", "csv", "tsv", "xml", "turtle", "ntriples"], default="table"
    )
    query.set_defaults(func=cmd_query)

    try:
        from server.cli import add_serve_parser
        from server.remote.command import add_publish_parser
    except ImportError:
        pass
    else:
        add_serve_parser(sub)
        add_publish_parser(sub)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
