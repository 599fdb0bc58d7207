"""Session fixtures: one server on the run's real build (which has the ontology documentation)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from site_support import RunningServer, site_server

if TYPE_CHECKING:
    from tests.conftest import RealBuild


@pytest.fixture(scope="session")
def pages_server(real_build: RealBuild) -> Iterator[RunningServer]:
    with site_server(real_build.directory) as server:
        yield server
