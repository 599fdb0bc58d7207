"""The ``serve`` subcommand: its options come from :mod:`core.settings`; it runs :func:`server.runner.serve`.

``kg`` (:mod:`kg.cli`) registers it with :func:`add_serve_parser`; ``python -m server`` builds a stand-alone
parser with the same function.
"""

from __future__ import annotations

import argparse
import logging
import sys

from core.options import SERVE
from core.settings import Settings, add_options
from server.dataset import DatasetError


def add_serve_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``serve`` on ``subparsers``; its ``run`` takes the resolved settings and returns an exit code."""
    parser = subparsers.add_parser(
        SERVE,
        help="serve the built graph over SPARQL 1.1 (HTTP)",
        description="Serve the knowledge graph as a read-only SPARQL 1.1 endpoint, with its pages and API.",
    )
    add_options(parser, SERVE)
    parser.set_defaults(run=lambda settings, arguments: run_serve(settings))
    return parser


def run_serve(settings: Settings) -> int:
    """Load the data, start the evaluators and serve until interrupted."""
    from server.runner import serve

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.store is not None and settings.data_files:
        print("kg serve: --data and --backend exclude each other (publish the files to the store)", file=sys.stderr)
        return 2
    try:
        return serve(settings)
    except DatasetError as error:
        print(f"kg serve: {error}", file=sys.stderr)
        return 2
