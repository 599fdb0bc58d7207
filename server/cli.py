"""The ``serve`` subcommand: argparse options turned into :class:`Settings`, then gunicorn.

``graph/cli.py`` registers it on the project's ``kg`` command with :func:`add_serve_parser`; ``python -m
server`` builds a stand-alone parser with the same function.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

from core.guard import Limits
from server.dataset import DatasetError
from server.settings import DataFile, Settings, StoreLocation

_GRAPH_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:.*")


def add_serve_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``serve`` on ``subparsers``; its ``func`` returns an exit code."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the built graph over SPARQL 1.1 (HTTP)",
        description="Serve the knowledge graph as a read-only SPARQL 1.1 endpoint.",
    )
    defaults = Settings()
    parser.add_argument("--host", default=defaults.host, help="interface to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=defaults.port, help="TCP port (default: %(default)s)")
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=defaults.workers,
        help="query evaluator processes (default: %(default)s)",
    )
    parser.add_argument(
        "--query-timeout",
        type=_positive_float,
        default=defaults.query_timeout,
        metavar="SECONDS",
        help="hard deadline per query; past it the client gets 503 (default: %(default)s)",
    )
    parser.add_argument(
        "--max-rows",
        type=_positive_int,
        default=defaults.max_rows,
        metavar="N",
        help="most rows (or triples) in one answer; more sets X-Result-Truncated (default: %(default)s)",
    )
    parser.add_argument(
        "--queue-size",
        type=_non_negative_int,
        default=defaults.queue_size,
        metavar="N",
        help="queries that may wait for a free evaluator before 503 (default: %(default)s)",
    )
    parser.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=defaults.max_body_bytes,
        metavar="BYTES",
        help="largest request body; larger gets 413 (default: %(default)s)",
    )
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=defaults.build_dir,
        metavar="DIR",
        help="graph build directory with manifest.json and kg.nq (default: %(default)s)",
    )
    parser.add_argument(
        "--data",
        nargs="+",
        default=[],
        metavar="[GRAPH=]FILE",
        help="serve these RDF files instead of the build; GRAPH= names the graph of a triples file",
    )
    parser.add_argument(
        "--cache-mb",
        type=_non_negative_int,
        default=defaults.cache_bytes // (1024 * 1024),
        metavar="MB",
        help="memory for cached answers per HTTP worker; 0 turns the cache off (default: %(default)s)",
    )
    parser.add_argument(
        "--cache-max-age",
        type=_non_negative_int,
        default=defaults.cache_max_age,
        metavar="SECONDS",
        help="Cache-Control max-age of query answers and dumps (default: %(default)s)",
    )
    parser.add_argument(
        "--http-workers",
        type=_positive_int,
        default=defaults.http_workers,
        metavar="N",
        help="HTTP processes, each with its own --workers evaluators and answer cache (default: %(default)s)",
    )
    remote = parser.add_argument_group("remote store (instead of the embedded one)")
    remote.add_argument(
        "--backend",
        metavar="URL",
        help="answer every query through the SPARQL store at URL (its base, e.g. http://127.0.0.1:7878), "
        "filled by `kg publish --to URL`; nothing is loaded and no evaluator forked",
    )
    add_store_path_options(remote, update=False)
    remote.add_argument(
        "--store-timeout-param",
        metavar="NAME[:ms]",
        help="the store's own per-query timeout parameter, sent with the --query-timeout "
        "(seconds, or milliseconds with :ms), e.g. timeout (Fuseki) or timeout:ms (Virtuoso)",
    )
    remote.add_argument(
        "--store-refresh",
        type=_positive_float,
        default=defaults.store_refresh,
        metavar="SECONDS",
        help="how often the store's published version is checked (default: %(default)s)",
    )
    parser.set_defaults(func=run_serve)
    return parser


def add_store_path_options(parser: argparse._ActionsContainer, update: bool = True) -> None:
    """Where the SPARQL Protocol (and, for publishing, Update and Graph Store) endpoints are below the URL."""
    defaults = StoreLocation(url="")
    parser.add_argument(
        "--query-path", default=defaults.query_path, help="SPARQL query endpoint (default: %(default)s)"
    )
    if update:
        parser.add_argument(
            "--update-path", default=defaults.update_path, help="SPARQL Update endpoint (default: %(default)s)"
        )
        parser.add_argument(
            "--gsp-path", default=defaults.gsp_path, help="Graph Store Protocol endpoint (default: %(default)s)"
        )


def settings_from_arguments(arguments: argparse.Namespace) -> Settings:
    defaults = Settings()
    return Settings(
        host=arguments.host,
        port=arguments.port,
        workers=arguments.workers,
        query_timeout=arguments.query_timeout,
        max_rows=arguments.max_rows,
        queue_size=arguments.queue_size,
        max_body_bytes=arguments.max_body_bytes,
        limits=Limits(max_chars=min(defaults.limits.max_chars, arguments.max_body_bytes)),
        build_dir=arguments.build_dir,
        data_files=tuple(parse_data_argument(value) for value in arguments.data),
        cache_bytes=arguments.cache_mb * 1024 * 1024,
        cache_max_age=arguments.cache_max_age,
        http_workers=arguments.http_workers,
        store=StoreLocation(
            url=arguments.backend,
            query_path=arguments.query_path,
            timeout_parameter=arguments.store_timeout_param,
        )
        if arguments.backend
        else None,
        store_refresh=arguments.store_refresh,
    )


def parse_data_argument(value: str) -> DataFile:
    """``FILE`` or ``GRAPH-IRI=FILE`` (the part before ``=`` must be an absolute IRI)."""
    graph, equals, path = value.partition("=")
    if equals and _GRAPH_PREFIX.fullmatch(graph):
        return DataFile(path=Path(path), graph=graph)
    return DataFile(path=Path(value))


def run_serve(arguments: argparse.Namespace) -> int:
    """Load the data, build the app and serve it until interrupted."""
    from server.app import create_app
    from server.runner import serve

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_from_arguments(arguments)
    if settings.store is not None and settings.data_files:
        print("kg serve: --data and --backend exclude each other (publish the files to the store)", file=sys.stderr)
        return 2
    try:
        app = create_app(settings)
    except DatasetError as error:
        print(f"kg serve: {error}", file=sys.stderr)
        return 2
    return serve(app, settings)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value
