"""How a settings field reaches the user: its command-line flag, its ``KG_*`` variable, its parser.

:mod:`core.settings` declares every option once, as a field made by :func:`option`; this module turns
such a dataclass into argparse options (:func:`add_options`) and reads the environment and a parsed
command line into its values (:func:`from_environment`, :func:`from_arguments`), so the help text, the
default shown and the validation of a value are the same whichever way it is given.
"""

from __future__ import annotations

import argparse
import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "KG_"

BUILD, DUMP, STATS, QUERY, SERVE, PUBLISH = "build", "dump", "stats", "query", "serve", "publish"
EVERY_COMMAND = (BUILD, DUMP, STATS, QUERY, SERVE, PUBLISH)


@dataclass(frozen=True, slots=True)
class Option:
    """How a field appears on the command line and in the environment."""

    help: str
    commands: tuple[str, ...]
    metavar: str | None = None
    flag: str | None = None  # default: --field-name; a boolean defaulting to True gets --no-field-name
    minimum: float | None = None
    parse: Callable[[str], Any] | None = None  # one value from text (default: by the field's type)
    shown_default: str | None = None  # what the help says the default is, when its value says it badly


def option(
    default: Any = dataclasses.MISSING,
    *,
    help: str,
    commands: tuple[str, ...] = (),
    default_factory: Callable[[], Any] | Any = dataclasses.MISSING,
    metavar: str | None = None,
    flag: str | None = None,
    minimum: float | None = None,
    parse: Callable[[str], Any] | None = None,
    shown_default: str | None = None,
) -> Any:
    """A settings field; ``commands=()`` means environment only (no command-line flag)."""
    metadata = {"option": Option(help, commands, metavar, flag, minimum, parse, shown_default)}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def add_options(parser: argparse.ArgumentParser, command: str, defaults: Any, root: Path) -> None:
    """Add the options of ``command`` to ``parser``, showing the defaults of ``defaults`` (paths below
    ``root`` relative to it)."""
    hints = typing.get_type_hints(type(defaults))
    for spec in _options(type(defaults)):
        meta: Option = spec.metadata["option"]
        if command not in meta.commands:
            continue
        kind = hints[spec.name]
        default = getattr(defaults, spec.name)
        shown = meta.shown_default or _shown_default(default, root)
        help_text = f"{meta.help} (default: {shown}; env {env_name(spec.name)})"
        if kind is bool:
            flag = meta.flag or ("--no-" if default else "--") + spec.name.replace("_", "-")
            parser.add_argument(
                flag, dest=spec.name, action="store_const", const=not default, default=None, help=help_text
            )
            continue
        flag = meta.flag or "--" + spec.name.replace("_", "-")
        parser.add_argument(
            flag,
            dest=spec.name,
            type=_argument_parser(meta, kind),
            nargs="+" if _is_tuple(kind) else None,
            default=None,
            metavar=meta.metavar,
            help=help_text,
        )


def from_environment(settings_class: type, environ: Mapping[str, str]) -> dict[str, Any]:
    """The ``KG_*`` variables that name a field, parsed like the command line (a tuple: space-separated)."""
    hints = typing.get_type_hints(settings_class)
    values: dict[str, Any] = {}
    for spec in _options(settings_class):
        text = environ.get(env_name(spec.name))
        if text is None:
            continue
        kind = hints[spec.name]
        parse = _argument_parser(spec.metadata["option"], kind)
        try:
            values[spec.name] = tuple(parse(part) for part in text.split()) if _is_tuple(kind) else parse(text)
        except argparse.ArgumentTypeError as error:
            raise ValueError(f"{env_name(spec.name)}: {error}") from None
    return values


def from_arguments(settings_class: type, arguments: argparse.Namespace) -> dict[str, Any]:
    """The options given on a command line parsed by a parser that :func:`add_options` built."""
    hints = typing.get_type_hints(settings_class)
    values: dict[str, Any] = {}
    for spec in _options(settings_class):
        given = getattr(arguments, spec.name, None)
        if given is not None:
            values[spec.name] = tuple(given) if _is_tuple(hints[spec.name]) else given
    return values


def _options(settings_class: type) -> list[dataclasses.Field[Any]]:
    return [f for f in dataclasses.fields(settings_class) if "option" in f.metadata]


def _is_tuple(kind: Any) -> bool:
    return typing.get_origin(kind) is tuple


def _shown_default(value: Any, root: Path) -> str:
    if isinstance(value, Path):
        try:
            return str(value.relative_to(root))
        except ValueError:
            return str(value)
    if value in ((), None):
        return "none"
    return str(value)


def _argument_parser(meta: Option, kind: Any) -> Callable[[str], Any]:
    """Text to a value of the field's type, with the field's minimum; errors name the option."""
    base = meta.parse or _scalar_parser(kind)

    def parse(text: str) -> Any:
        try:
            value = base(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(f"{text!r} is not valid ({error})") from None
        if meta.minimum is not None and value < meta.minimum:
            raise argparse.ArgumentTypeError(f"must be at least {meta.minimum:g}")
        return value

    return parse


def _scalar_parser(kind: Any) -> Callable[[str], Any]:
    if _is_tuple(kind):
        kind = typing.get_args(kind)[0]
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if kind is bool:
        return _boolean
    return kind  # type: ignore[no-any-return]


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")
