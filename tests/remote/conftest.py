"""Remote mode: the endpoint, saved-query and W3C protocol tests again, through a real ``oxigraph serve``.

The fixtures here have the names the imported test modules ask for (``kg_server``, ``protocol_server``,
``queries_server``...), so the same test functions run against ``kg serve --backend`` with the data
published by ``kg publish``, with the limits of the embedded run (``tests.server.conftest``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.conftest import RealBuild

from core.catalogue import Catalogue, load_catalogue
from core.settings import (
    REPO_ROOT,
    DataFile,
)
from tests.remote.remote_support import RunningServer, Store, remote_server, running_store
from tests.server.conftest import KASEI, MAX_ROWS, PROTOCOL_DIR, QUERY_TIMEOUT
from tests.server.server_support import write_fixture_build


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fixture_build(tmp_path_factory.mktemp("kg-build-remote"))


@pytest.fixture(scope="session")
def fixture_store(fixture_build: Path) -> Iterator[Store]:
    with running_store() as store:
        store.publish_build(fixture_build)
        yield store


@pytest.fixture(scope="session")
def kg_server(fixture_store: Store) -> Iterator[RunningServer]:
    """Same limits as the embedded ``kg_server``; the data comes from the store."""
    arguments = [
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
    with remote_server(fixture_store.url, arguments) as server:
        yield server


@pytest.fixture(scope="session")
def protocol_server() -> Iterator[RunningServer]:
    if not PROTOCOL_DIR.is_dir():
        pytest.skip(f"W3C SPARQL 1.1 test data not found at {PROTOCOL_DIR}")
    files = [DataFile(PROTOCOL_DIR / f"data{index}.nt", f"{KASEI}data{index}.rdf") for index in (1, 2, 3)]
    with running_store() as store:
        store.publish_files(files, "https://w3id.org/morocco-digital-kg/")
        with remote_server(store.url, ["--workers", "2"]) as server:
            yield server


@pytest.fixture(scope="session")
def kg_build(real_build: RealBuild) -> Path:
    return real_build.directory


@pytest.fixture(scope="session")
def real_store(kg_build: Path) -> Iterator[Store]:
    with running_store() as store:
        store.publish_build(kg_build)
        yield store


@pytest.fixture(scope="session")
def queries_server(real_store: Store) -> Iterator[RunningServer]:
    arguments = ["--workers", "2", "--query-timeout", "10", "--queue-size", "8"]
    with remote_server(real_store.url, arguments) as server:
        yield server


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(REPO_ROOT / "queries")
