"""The ``kg`` command line: one parser per subcommand, settings resolved once, then the subcommand runs.

Every option comes from :class:`core.settings.Settings` (defaults, then ``KG_*`` variables, then flags), so
``KG_BUILD_DIR`` or ``--build-dir`` means the same to ``build``, ``stats``, ``query``, ``serve`` and
``publish``. The arguments that are not configuration (a query's text, an output file) are declared here,
with the subcommand. The server is imported only by ``serve`` and ``publish``, and the build's toolchain
(owlready2, pySHACL, pyLODE) only by ``build``, so each command starts with what it needs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from core.options import BUILD, DUMP, QUERY, STATS
from core.settings import Settings, add_options

DUMP_FORMATS = ("turtle", "trig", "nquads", "ntriples", "jsonld", "rdfxml")
QUERY_FORMATS = ("table", "json", "csv", "tsv", "xml", "turtle", "ntriples")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="kg", description="Morocco digital-policy knowledge graph.")
    sub = top.add_subparsers(dest="command", required=True)

    build = sub.add_parser(BUILD, help="build the graph from ontology/ and seeds/")
    add_options(build, BUILD)
    build.add_argument("-v", "--verbose", action="store_true", help="show the time each stage of the build took")
    build.set_defaults(run=_graph_command("cmd_build"))

    dump = sub.add_parser(DUMP, help="write one dump of the last build")
    add_options(dump, DUMP)
    dump.add_argument("--format", choices=DUMP_FORMATS, default="turtle")
    dump.add_argument("-o", "--output", help="file to write (default: standard output)")
    dump.set_defaults(run=_graph_command("cmd_dump"))

    stats = sub.add_parser(STATS, help="sizes, entities per class, facts, coverage")
    add_options(stats, STATS)
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(run=_graph_command("cmd_stats"))

    query = sub.add_parser(QUERY, help="run a SPARQL query on the last build")
    add_options(query, QUERY)
    query.add_argument("query", nargs="?", help="the SPARQL query text")
    query.add_argument("--file", help="read the query from a file")
    query.add_argument("--saved", metavar="NAME", help="run the saved query queries/NAME.rq (see /queries)")
    query.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter of the saved query (repeatable)"
    )
    query.add_argument("--format", choices=QUERY_FORMATS, default="table")
    query.set_defaults(run=_graph_command("cmd_query"))

    from server.cli import add_serve_parser
    from server.remote.command import add_publish_parser

    add_serve_parser(sub)
    add_publish_parser(sub)
    return top


def _graph_command(name: str) -> Callable[[Settings, argparse.Namespace], int]:
    """The build-side command ``name``, imported when it runs (the build's toolchain is heavy)."""

    def run(settings: Settings, arguments: argparse.Namespace) -> int:
        from graph import commands

        return int(getattr(commands, name)(settings, arguments) or 0)

    return run


def main(argv: list[str] | None = None) -> int:
    top = parser()
    arguments = top.parse_args(argv)
    try:
        settings = Settings.resolve(arguments=arguments)
    except ValueError as error:
        print(f"kg {arguments.command}: {error}", file=sys.stderr)
        return 2
    return int(arguments.run(settings, arguments) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
