"""Fixtures for the build: the run's real build of the project's seeds, and
throw-away copies of the seeds for tests that break them on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import Dataset

from core.settings import REPO_ROOT, Settings
from graph.build import BuildResult

if TYPE_CHECKING:
    from tests.conftest import RealBuild


@pytest.fixture(scope="session")
def built(real_build: RealBuild) -> tuple[BuildResult, dict, Settings]:
    """The project's real graph (the run's one build, see tests/conftest.py)."""
    return real_build.result, real_build.manifest, real_build.settings


@pytest.fixture(scope="session")
def dataset(built: tuple[BuildResult, dict, Settings]) -> Dataset:
    return built[0].dataset


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of seeds/ that a test may corrupt."""
    target = tmp_path / "seeds"
    shutil.copytree(REPO_ROOT / "seeds", target)
    yield target
