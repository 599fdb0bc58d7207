"""The ``publish`` subcommand of ``kg``: the last build into a SPARQL store (see :mod:`server.remote.publish`)."""

from __future__ import annotations

import argparse
import sys

from core.options import PUBLISH
from core.settings import Settings, add_options


def add_publish_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``publish`` on ``subparsers``; its ``run`` takes the resolved settings."""
    parser = subparsers.add_parser(
        PUBLISH,
        help="load the last build into a SPARQL store (for kg serve --backend)",
        description="Replace every named graph of the build in a SPARQL 1.1 store, verify the triple counts, "
        "and record the dataset version in a metadata graph.",
    )
    add_options(parser, PUBLISH)
    parser.set_defaults(run=lambda settings, arguments: run_publish(settings))
    return parser


def run_publish(settings: Settings) -> int:
    from server.remote.publish import Publisher, PublishError, from_build

    location = settings.publish_location
    if location is None:
        print("kg publish: say where to, with --to URL (or KG_PUBLISH_TO)", file=sys.stderr)
        return 2
    try:
        published, uploads = from_build(settings.build_dir)
        publisher = Publisher(location, settings.publish_timeout)
    except ValueError as error:
        print(f"kg publish: {error}", file=sys.stderr)
        return 2
    try:
        report = publisher.publish(published, uploads, direct=settings.direct, progress=print)
    except PublishError as error:
        print(f"kg publish: {error}", file=sys.stderr)
        for line in error.report.lines():
            print(f"  {line}", file=sys.stderr)
        return 1
    triples = sum(upload.triples for upload in uploads)
    print(
        f"published {triples} triples in {len(uploads)} named graphs to {location.url} "
        f"in {report.seconds:.1f} s; version {published.version[:16]} (verified by COUNT)"
    )
    for line in report.lines():
        print(f"  {line}")
    return 0
