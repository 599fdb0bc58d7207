"""grlc's decorators: YAML metadata in ``#+`` comment lines, so that a saved query stays valid SPARQL.

Only the lines starting with ``#+`` are read (the marker removed, indentation kept), which is grlc's own
rule, so grlc query collections load unchanged. Line numbers are kept to point a problem at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

MARKER = "#+"


class DecoratorError(ValueError):
    """The decorator block is not a YAML mapping; ``line`` is the line of the file to look at."""

    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Decorators:
    """The metadata of one query file and the file lines it came from."""

    values: dict[str, object]
    lines: tuple[int, ...]
    texts: tuple[str, ...]

    def line_of(self, word: str, default: int | None = None) -> int | None:
        """The first decorator line mentioning ``word`` as a whole word (for problem messages)."""
        pattern = re.compile(rf"(?<![\w-]){re.escape(word)}(?![\w-])")
        for number, text in zip(self.lines, self.texts, strict=True):
            if pattern.search(text):
                return number
        return default if default is not None else (self.lines[0] if self.lines else None)


def read_decorators(text: str) -> Decorators:
    """Parse the ``#+`` lines of ``text``; raises :class:`DecoratorError` when they are not a mapping."""
    numbered = [
        (number, line[len(MARKER) :]) for number, line in enumerate(text.splitlines(), 1) if line.startswith(MARKER)
    ]
    lines = tuple(number for number, _ in numbered)
    texts = tuple(body for _, body in numbered)
    if not numbered:
        return Decorators({}, lines, texts)
    try:
        values = yaml.safe_load("\n".join(texts))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = lines[min(mark.line, len(lines) - 1)] if mark is not None else lines[0]
        raise DecoratorError(line, f"decorators are not valid YAML: {getattr(error, 'problem', error)}") from None
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise DecoratorError(lines[0], "decorators must be a YAML mapping (summary:, tags:, ...)")
    return Decorators({str(key): value for key, value in values.items()}, lines, texts)
