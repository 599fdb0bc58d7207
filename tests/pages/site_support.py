"""A real server on the run's build of the graph, shared by the page and browser tests."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.server.server_support import BASE, RunningServer, running_server

ENTITY = "id/jazari-root"
QUOTE = "quote/lexpress-seghrouchni/6522-6631"
DOCUMENT = "doc/lexpress-seghrouchni"
__all__ = ["BASE", "DOCUMENT", "ENTITY", "QUOTE", "RunningServer", "site_server"]


@contextlib.contextmanager
def site_server(build_dir: Path) -> Iterator[RunningServer]:
    arguments = ["--build-dir", str(build_dir), "--workers", "2", "--query-timeout", "10", "--queue-size", "8"]
    with running_server(arguments) as server:
        yield server
