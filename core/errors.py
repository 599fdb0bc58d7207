"""Build errors that point at the file and line to fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the inputs, located as precisely as the input allows."""

    file: Path | str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else f"{self.file}"
        return f"{where}: {self.reason}"


class BuildError(Exception):
    """The inputs do not make a valid graph; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        listing = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"build failed with {len(problems)} problem(s):\n{listing}")
