"""The ``publish`` subcommand of ``kg``: the last build into a SPARQL store (see :mod:`server.remote.publish`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.settings import StoreLocation, default_build_dir


def add_publish_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``publish`` on ``subparsers``; its ``func`` returns an exit code."""
    from server.cli import add_store_path_options

    parser = subparsers.add_parser(
        "publish",
        help="load the last build into a SPARQL store (for kg serve --backend)",
        description="Replace every named graph of the build in a SPARQL 1.1 store, verify the triple counts, "
        "and record the dataset version in a metadata graph.",
    )
    parser.add_argument("--to", required=True, metavar="URL", help="the store's base URL, e.g. http://127.0.0.1:7878")
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=default_build_dir(),
        metavar="DIR",
        help="the build to publish (default: %(default)s)",
    )
    add_store_path_options(parser)
    parser.add_argument(
        "--direct",
        action="store_true",
        help="PUT each graph onto its name, without staging graphs and MOVE "
        "(for stores without SPARQL Update; not atomic across graphs)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="deadline of each request to the store (default: %(default)s)",
    )
    parser.set_defaults(func=run_publish)
    return parser


def run_publish(arguments: argparse.Namespace) -> int:
    from server.remote.publish import Publisher, PublishError, from_build

    location = StoreLocation(
        url=arguments.to,
        query_path=arguments.query_path,
        update_path=arguments.update_path,
        gsp_path=arguments.gsp_path,
    )
    try:
        published, uploads = from_build(arguments.build_dir)
        publisher = Publisher(location, arguments.timeout)
    except ValueError as error:
        print(f"kg publish: {error}", file=sys.stderr)
        return 2
    try:
        report = publisher.publish(published, uploads, direct=arguments.direct, progress=print)
    except PublishError as error:
        print(f"kg publish: {error}", file=sys.stderr)
        for line in error.report.lines():
            print(f"  {line}", file=sys.stderr)
        return 1
    triples = sum(upload.triples for upload in uploads)
    print(
        f"published {triples} triples in {len(uploads)} named graphs to {arguments.to} "
        f"in {report.seconds:.1f} s; version {published.version[:16]} (verified by COUNT)"
    )
    for line in report.lines():
        print(f"  {line}")
    return 0
