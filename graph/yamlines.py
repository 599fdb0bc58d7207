"""YAML loading that remembers line numbers, so every build error can name its line.

PyYAML drops source positions once nodes become Python objects; these subclasses keep
the line of each mapping and sequence, and refuse duplicate keys (which YAML silently
resolves by keeping the last one, hiding an editing mistake).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.errors import BuildError, Problem


class LineDict(dict):
    """A YAML mapping with the 1-based line where it starts."""

    line: int = 0


class LineList(list):
    """A YAML sequence with the 1-based line where it starts."""

    line: int = 0


class _Lines(yaml.constructor.SafeConstructor):
    """Constructors that keep each mapping's and sequence's line, and refuse duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first at line {seen[key]})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line + 1
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        sequence = LineList(super().construct_sequence(node, deep=True))
        sequence.line = node.start_mark.line + 1
        return sequence


class _LineLoader(_Lines, yaml.SafeLoader):
    """The pure-Python parser: its error messages are the ones a seed author reads."""


class _FastLineLoader(_Lines, yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):  # type: ignore[misc]
    """libyaml's parser, about ten times faster on the seeds; a file it refuses is read again by the other."""


# registered on the mixin, whose table both loaders find first (the stubs want a loader: the mixin is one part)
_Lines.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Lines.construct_mapping)  # type: ignore[type-var]
_Lines.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Lines.construct_sequence)  # type: ignore[type-var]


def load_yaml(path: Path) -> Any:
    """Parse one YAML file, turning any syntax error into a located build problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError([Problem(path, None, f"not valid UTF-8: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=_FastLineLoader)  # SafeLoader subclasses: no arbitrary objects
    except yaml.YAMLError:
        pass  # read again below, for the pure-Python parser's messages
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        reason = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        raise BuildError([Problem(path, line, f"YAML syntax error: {reason}")]) from exc
    except yaml.YAMLError as exc:
        raise BuildError([Problem(path, None, f"YAML error: {exc}")]) from exc


def line_of(node: Any, fallback: int | None = None) -> int | None:
    """The line of a mapping or sequence, or the fallback for scalars."""
    return getattr(node, "line", None) or fallback
