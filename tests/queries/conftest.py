"""Session fixtures: a real build of the graph in a temporary directory, and a real server on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from core.catalogue import Catalogue, load_catalogue
from core.settings import REPO_ROOT
from tests.server.server_support import RunningServer, running_server

if TYPE_CHECKING:
    from tests.conftest import RealBuild


@pytest.fixture(scope="session")
def kg_build(real_build: RealBuild) -> Path:
    return real_build.directory


@pytest.fixture(scope="session")
def queries_server(kg_build: Path) -> Iterator[RunningServer]:
    arguments = ["--build-dir", str(kg_build), "--workers", "2", "--query-timeout", "10", "--queue-size", "8"]
    with running_server(arguments) as server:
        yield server


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(REPO_ROOT / "queries")
