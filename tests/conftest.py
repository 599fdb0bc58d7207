"""What every test package shares: the project's real graph, built once per run.

The build is the slow part of a server fixture (the seeds, HermiT, SHACL, the dumps, the ontology's
pages), and every package serves the same graph, so it is made here once, with every stage on, and
handed out read-only: the servers only read a build directory, and a test that damages a build copies
it first (``tests/adversarial/test_z_nothing_lost.py`` checks at the end that nobody wrote to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.settings import Settings
from graph.build import BuildResult, build


@dataclass(frozen=True)
class RealBuild:
    """The build of the project's own seeds: its in-memory result, its manifest and where it lies."""

    result: BuildResult
    manifest: dict[str, Any]
    settings: Settings

    @property
    def directory(self) -> Path:
        return self.settings.build_dir


@pytest.fixture(scope="session")
def real_build(tmp_path_factory: pytest.TempPathFactory) -> RealBuild:
    settings = Settings.from_env(build_dir=tmp_path_factory.mktemp("kg-real") / "build")
    result, manifest = build(settings)
    return RealBuild(result, manifest, settings)
