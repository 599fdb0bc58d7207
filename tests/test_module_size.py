"""No Python module grows past ``MOST_LINES``: a file that large has started to hold two responsibilities.

Counted over the project's own packages (the code, the benchmark and the tests), not over the virtual
environments (hidden folders such as ``bench/.venv-peers``) or generated files.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "graph", "server", "kg", "bench", "tests")
MOST_LINES = 400


def oversized(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, int]:
    """Every module under ``packages`` longer than :data:`MOST_LINES`, with its line count."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MOST_LINES:
                found[path.relative_to(root).as_posix()] = lines
    return found


def test_no_module_is_over_the_limit() -> None:
    assert oversized(REPO_ROOT) == {}


def test_the_counter_sees_a_long_module(tmp_path: Path) -> None:
    (tmp_path / "core").mkdir()
    (tmp_path / "core" / "short.py").write_text("x = 1\n" * MOST_LINES, encoding="utf-8")
    (tmp_path / "core" / "long.py").write_text("x = 1\n" * (MOST_LINES + 1), encoding="utf-8")
    (tmp_path / "core" / ".venv").mkdir()
    (tmp_path / "core" / ".venv" / "vendored.py").write_text("x = 1\n" * (MOST_LINES + 1), encoding="utf-8")
    assert oversized(tmp_path, ("core",)) == {"core/long.py": MOST_LINES + 1}
