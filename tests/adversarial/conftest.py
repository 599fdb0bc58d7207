"""Fixtures of the adversarial suite: a real build, a real server on it, and the figures report.

The server helpers of ``tests/server`` are reused as they are (``server_support``). The build served here
is made by the project's own build in a temporary directory, so abuse of it can never touch
``graph/build``; its dump checksums are taken before any test runs and compared at the end
(``test_z_nothing_lost.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.adversarial.adversarial_support import DEADLINE, FIGURES
from tests.server.server_support import RunningServer, running_server

if TYPE_CHECKING:
    from tests.conftest import RealBuild


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test of this folder ``adversarial``, so that ``-m adversarial`` selects the suite."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.adversarial)


def dump_checksums(build_dir: Path) -> dict[str, str]:
    """SHA-256 of the manifest and of every dump file it lists, by file name."""
    manifest = json.loads((build_dir / "manifest.json").read_text(encoding="utf-8"))
    names = ["manifest.json", *sorted(entry["file"] for entry in manifest["dumps"].values())]
    return {name: hashlib.sha256((build_dir / name).read_bytes()).hexdigest() for name in names}


@pytest.fixture(scope="session")
def adv_build(real_build: RealBuild) -> Path:
    return real_build.directory


@pytest.fixture(scope="session")
def checksums_before(adv_build: Path) -> dict[str, str]:
    return dump_checksums(adv_build)


@pytest.fixture(scope="session")
def adv_server(adv_build: Path, checksums_before: dict[str, str]) -> Iterator[RunningServer]:
    """The server as shipped (response cache on, 2 evaluators), with a short deadline to keep runs short."""
    arguments = ["--build-dir", str(adv_build), "--workers", "2", "--query-timeout", str(DEADLINE)]
    with running_server([*arguments, "--queue-size", "8"]) as server:
        yield server


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Write and print the figures when any adversarial test ran."""
    if not FIGURES.requests and not FIGURES.bad_inputs and FIGURES.data_lost is None:
        return
    summary = FIGURES.write()
    terminalreporter.section("adversarial figures (tests/artifacts/adversarial.json)")
    terminalreporter.write_line(json.dumps(summary, indent=2))
