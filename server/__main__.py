"""``python -m server serve ...``: the same ``serve`` command as ``kg serve``, without the build's CLI."""

from __future__ import annotations

import argparse
import sys

from core.settings import Settings
from server.cli import add_serve_parser


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server")
    subparsers = parser.add_subparsers(dest="command", required=True)
    add_serve_parser(subparsers)
    arguments = parser.parse_args(argv)
    try:
        settings = Settings.resolve(arguments=arguments)
    except ValueError as error:
        parser.error(str(error))
    return int(arguments.run(settings, arguments))


if __name__ == "__main__":
    sys.exit(main())
