"""Session fixtures: one real build (with the ontology documentation) and one server on it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_support import RunningServer, build_site, site_server


@pytest.fixture(scope="session")
def pages_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    build_dir = build_site(tmp_path_factory.mktemp("kg-pages") / "build", docs=True)
    with site_server(build_dir) as server:
        yield server
