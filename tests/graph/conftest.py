"""Fixtures for the build: one real build of the project's seeds per test session, and
throw-away copies of the seeds for tests that break them on purpose."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset

from core.settings import REPO_ROOT, Settings
from graph.build import BuildResult, build


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, dict, Settings]:
    """The project's real graph, built once into a temporary directory."""
    settings = Settings.from_env(build_dir=tmp_path_factory.mktemp("build") / "out")
    result, manifest = build(settings)
    return result, manifest, settings


@pytest.fixture(scope="session")
def dataset(built: tuple[BuildResult, dict, Settings]) -> Dataset:
    return built[0].dataset


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of seeds/ that a test may corrupt."""
    target = tmp_path / "seeds"
    shutil.copytree(REPO_ROOT / "seeds", target)
    yield target
