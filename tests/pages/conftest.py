"""Session fixtures: one server on the run's real build (which has the ontology documentation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.pages.site_support import RunningServer, site_server

if TYPE_CHECKING:
    from tests.conftest import RealBuild


@pytest.fixture(scope="session")
def pages_server(real_build: RealBuild) -> Iterator[RunningServer]:
    with site_server(real_build.directory) as server:
        yield server
