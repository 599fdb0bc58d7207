"""``python -m server serve ...``: the same ``serve`` command as ``kg serve``, without the graph CLI."""

from __future__ import annotations

import argparse
import sys

from server.cli import add_serve_parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_serve_parser(subparsers)
    arguments = parser.parse_args(argv)
    return int(arguments.func(arguments))


if __name__ == "__main__":
    sys.exit(main())
