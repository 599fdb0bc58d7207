"""Session fixtures: real server processes on loopback, one per configuration the tests need."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.server_support import W3C_SPARQL11, RunningServer, running_server, write_fixture_build

PROTOCOL_DIR = W3C_SPARQL11 / "protocol"
KASEI = "http://kasei.us/2009/09/sparql/data/"
QUERY_TIMEOUT = 2.0
MAX_ROWS = 5


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_build(tmp_path_factory.mktemp("kg-build"))


@pytest.fixture(scope="session")
def kg_server(fixture_build: Path) -> Iterator[RunningServer]:
    """The knowledge graph server with a short deadline and a small row cap, to test the limits."""
    arguments = [
        "--build-dir",
        str(fixture_build),
        "--workers",
        "2",
        "--query-timeout",
        str(QUERY_TIMEOUT),
        "--max-rows",
        str(MAX_ROWS),
        "--queue-size",
        "4",
        "--max-body-bytes",
        "65536",
    ]
    with running_server(arguments) as server:
        yield server


@pytest.fixture(scope="session")
def protocol_server() -> Iterator[RunningServer]:
    """A server holding the W3C protocol test data under the graph names the tests use."""
    if not PROTOCOL_DIR.is_dir():
        pytest.skip(f"W3C SPARQL 1.1 test data not found at {PROTOCOL_DIR} (expected <repo>/../shared)")
    data = [f"{KASEI}data{index}.rdf={PROTOCOL_DIR / f'data{index}.nt'}" for index in (1, 2, 3)]
    with running_server(["--workers", "2", "--data", *data]) as server:
        yield server
