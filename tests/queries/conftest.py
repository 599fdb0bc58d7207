"""Session fixtures: a real build of the graph in a temporary directory, and a real server on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from server_support import RunningServer, running_server

from core.catalogue import Catalogue, load_catalogue
from core.settings import REPO_ROOT, Settings
from graph.build import build


@pytest.fixture(scope="session")
def kg_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("kg-real") / "build"
    build(Settings.from_env(build_dir=build_dir, docs=False))
    return build_dir


@pytest.fixture(scope="session")
def queries_server(kg_build: Path) -> Iterator[RunningServer]:
    arguments = ["--build-dir", str(kg_build), "--workers", "2", "--query-timeout", "10", "--queue-size", "8"]
    with running_server(arguments) as server:
        yield server


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue(REPO_ROOT / "queries")
