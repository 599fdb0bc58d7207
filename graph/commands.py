"""The build side of the ``kg`` command: build, dump, stats and query, each given the resolved settings.

The parser and the dispatch live in :mod:`kg.cli`, above this package and the server.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from core.errors import BuildError
from core.settings import Settings
from graph.dumps import FORMATS


def cmd_build(settings: Settings, args: argparse.Namespace) -> int:
    from graph.build import build

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


def cmd_dump(settings: Settings, args: argparse.Namespace) -> int:
    from graph.build import read_manifest

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


def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    from graph.build import STATS, read_manifest

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


def cmd_query(settings: Settings, args: argparse.Namespace) -> int:
    from graph.local_query import LocalQueryError, run_local_query

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
