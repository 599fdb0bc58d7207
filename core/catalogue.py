"""The catalogue of saved queries: every ``queries/*.rq`` file read, checked and described.

:func:`load_catalogue` is called by the build (so a query that does not parse, or that declares a parameter
it never uses, fails ``kg build`` with file and line) and by the server at start-up. Each check answers a
mistake someone will make: a typo in a decorator name, an example that does not fit its type, a VALUES
block that cannot stand where the query puts its WHERE group, a paginated query without ORDER BY (pages
would overlap).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from core.binding import NoWhereGroup, bind_values, paginate
from core.decorators import DecoratorError, Decorators, read_decorators
from core.errors import BuildError, Problem
from core.guard import Limits, QueryRejected, analyse
from core.iris import DEFAULT_BASE_IRI
from core.lexer import tokenize
from core.parameters import TYPE_NAMES, Parameter, ParameterError, UnsupportedType, parameter_from_variable

NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
RESERVED = frozenset({"page", "format", "output", "results"})
MAX_PAGE_SIZE = 10_000
PAGE_QUERIES = "pages"  # queries/pages/: the queries the HTML pages run, checked like the saved ones
_KNOWN_KEYS = frozenset(
    {"summary", "description", "tags", "defaults", "enumerate", "pagination", "method", "parameters"}
    | {"endpoint", "endpoint_in_url", "transform"}  # grlc's, accepted; this server only queries its own data
)
_SAMPLES = {
    "iri": "https://example.org/sample",
    "string": "sample",
    "number": "1",
    "integer": "1",
    "decimal": "1.5",
    "boolean": "true",
    "date": "2024-01-01",
    "gYear": "2024",
    "gYearMonth": "2024-01",
}
_ERROR_AT = re.compile(r"error at (\d+):(\d+)")
Report = Callable[[int | None, str], None]


@dataclass(frozen=True)
class SavedQuery:
    """One saved query, ready to document and to run."""

    name: str
    path: Path
    text: str
    form: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    pagination: int | None
    method: str

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def example_values(self) -> dict[str, str]:
        """Values for an example call: every parameter that has an example."""
        return {p.name: p.example for p in self.parameters if p.example is not None}

    def example_path(self) -> str:
        query = urlencode(self.example_values())
        return f"/queries/{self.name}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Catalogue:
    """The saved queries by name, in file-name order."""

    queries: dict[str, SavedQuery]

    def get(self, name: str) -> SavedQuery | None:
        return self.queries.get(name)

    def __iter__(self) -> Iterator[SavedQuery]:
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)


def load_catalogue(queries_dir: Path, base_iri: str = DEFAULT_BASE_IRI) -> Catalogue:
    """Read every ``*.rq`` directly under ``queries_dir``; raise ``BuildError`` listing every problem.

    The files are written against the default base IRI; a graph built under another base gets its
    queries (and examples) moved under it, as the build's quality rules are.
    """
    problems: list[Problem] = []
    queries: dict[str, SavedQuery] = {}
    paths = sorted(queries_dir.glob("*.rq")) if queries_dir.is_dir() else []
    for path in paths:
        found: list[Problem] = []
        saved = _load_one(path, found, base_iri)
        problems += found
        if saved is not None and not found:
            queries[saved.name] = saved
    if problems:
        raise BuildError(problems)
    return Catalogue(queries)


def _load_one(path: Path, problems: list[Problem], base_iri: str = DEFAULT_BASE_IRI) -> SavedQuery | None:
    def problem(line: int | None, reason: str) -> None:
        problems.append(Problem(path, line, reason))

    if not NAME.fullmatch(path.stem):
        problem(None, "a saved query's file name must be lower case letters, digits and hyphens (it is its URL)")
    text = path.read_text(encoding="utf-8").replace(DEFAULT_BASE_IRI, base_iri)
    try:
        decorators = read_decorators(text)
    except DecoratorError as error:
        problem(error.line, str(error))
        return None
    form = _form(text, problem)
    if form is None:
        return None
    parameters = _parameters(text, decorators, problem)
    meta = decorators.values
    for key in meta:
        if key not in _KNOWN_KEYS:
            problem(decorators.line_of(key), f"unknown decorator {key!r}; known: {', '.join(sorted(_KNOWN_KEYS))}")
    summary = meta.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        problem(decorators.line_of("summary", 1), "a saved query needs a 'summary' decorator (#+ summary: ...)")
        summary = ""
    pagination = _pagination(meta.get("pagination"), form, text, decorators, problem)
    method = str(meta.get("method", "GET")).upper()
    if method not in ("GET", "POST"):
        problem(decorators.line_of("method"), f"method must be GET or POST, not {method!r}")
    saved = SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        form=form,
        summary=summary.strip(),
        description=str(meta.get("description") or "").strip(),
        tags=tuple(str(tag) for tag in _as_list(meta.get("tags"))),
        parameters=tuple(parameters),
        pagination=pagination,
        method=method,
    )
    _check_bound_forms(saved, decorators, problem)
    return saved


def _form(text: str, problem: Report) -> str | None:
    try:
        shape = analyse(text, Limits())
    except QueryRejected as rejected:
        problem(None, rejected.message)
        return None
    try:
        ox.Store().query(text)
    except SyntaxError as error:
        match = _ERROR_AT.search(str(error))
        problem(int(match.group(1)) if match else None, f"the query does not parse: {error}")
        return None
    if shape.form is None:
        problem(None, "not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return shape.form


def _parameters(text: str, decorators: Decorators, problem: Report) -> list[Parameter]:
    by_name: dict[str, Parameter] = {}
    first_lines: dict[str, int] = {}
    for token in tokenize(text):
        if token.kind != "var":
            continue
        line = text.count("\n", 0, token.start) + 1
        try:
            parameter = parameter_from_variable(token.text)
        except UnsupportedType as error:
            problem(line, str(error))
            continue
        if parameter is None:
            continue
        known = by_name.get(parameter.name)
        if known is not None and known.variable.lstrip("?$") != parameter.variable.lstrip("?$"):
            problem(line, f"parameter '{parameter.name}' is written both {known.variable} and {parameter.variable}")
        elif known is None:
            if parameter.name in RESERVED:
                problem(line, f"'{parameter.name}' is reserved ({', '.join(sorted(RESERVED))}); rename {token.text}")
            by_name[parameter.name] = parameter
            first_lines[parameter.name] = line
    declared = _declared_only(by_name, decorators, problem)
    return [_decorated(p, decorators, problem, first_lines[p.name]) for p in declared]


def _declared_only(by_name: dict[str, Parameter], decorators: Decorators, problem: Report) -> list[Parameter]:
    """Every name the decorators speak of must be a parameter of the query."""
    meta = decorators.values
    declared = [*_mapping(meta.get("defaults")), *_mapping(meta.get("enumerate")), *_mapping(meta.get("parameters"))]
    for name in dict.fromkeys(declared):
        if name not in by_name:
            problem(
                decorators.line_of(name),
                f"the decorators declare parameter '{name}' but the query has no ?_{name} or ?__{name} variable",
            )
    return list(by_name.values())


def _decorated(parameter: Parameter, decorators: Decorators, problem: Report, variable_line: int) -> Parameter:
    meta, name = decorators.values, parameter.name
    line = decorators.line_of(name, variable_line)
    block = _mapping(meta.get("parameters")).get(name) or {}
    if not isinstance(block, dict):
        problem(line, f"parameters.{name} must be a mapping (description:, example:, type:)")
        block = {}
    declared_type = block.get("type")
    if declared_type is not None and declared_type != parameter.kind:
        problem(
            line,
            f"parameters.{name}.type is {declared_type!r} but {parameter.variable} makes it {parameter.kind!r}"
            f" (types: {', '.join(TYPE_NAMES)})",
        )
    enum_values = _mapping(meta.get("enumerate")).get(name)
    enum = tuple(str(v) for v in _as_list(enum_values)) if isinstance(enum_values, list) else ()
    default = _mapping(meta.get("defaults")).get(name, block.get("default"))
    example = block.get("example")
    decorated = replace(
        parameter,
        enum=enum,
        default=None if default is None else _scalar(default),
        description=str(block.get("description") or "").strip(),
        example=None if example is None else _scalar(example),
    )
    checked = [("default", decorated.default), ("example", decorated.example), *(("enumerate", v) for v in enum)]
    for what, value in checked:
        if value is None:
            continue
        try:
            replace(decorated, enum=() if what == "enumerate" else enum).term(value)
        except ParameterError as error:
            problem(line, f"{what} value of '{name}' does not fit its type: {error}")
    if decorated.required and decorated.default is None and decorated.example is None:
        problem(line, f"required parameter '{name}' needs an example (#+ parameters: {name}: example: ...)")
    return decorated


def _pagination(value: object, form: str, text: str, decorators: Decorators, problem: Report) -> int | None:
    if value is None:
        return None
    line = decorators.line_of("pagination")
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGE_SIZE:
        problem(line, f"pagination must be a number of rows per page from 1 to {MAX_PAGE_SIZE}")
        return None
    if form != "select":
        problem(line, "pagination applies to SELECT queries only")
        return None
    if not any(t.kind == "word" and t.text.casefold() == "order" for t in tokenize(text)):
        problem(line, "a paginated query needs ORDER BY, or its pages could overlap")
        return None
    return value


def _check_bound_forms(saved: SavedQuery, decorators: Decorators, problem: Report) -> None:
    """Every parameter bound (to its example or a sample), and a page applied, the query must still parse."""
    bindings = []
    for parameter in saved.parameters:
        sample = parameter.example or parameter.default or _SAMPLES[parameter.kind]
        try:
            bindings.append((parameter.variable, parameter.term(sample)))
        except ParameterError:
            bindings.append((parameter.variable, replace(parameter, enum=()).term(_SAMPLES[parameter.kind])))
    try:
        bound = bind_values(saved.text, saved.form, bindings)
    except NoWhereGroup as error:
        problem(None, f"parameters need a WHERE group to bind into: {error}")
        return
    if saved.pagination:
        bound = paginate(bound, saved.pagination + 1, 0)
    try:
        ox.Store().query(bound)
    except SyntaxError as error:
        where = "with its parameters bound" + (" and a page applied" if saved.pagination else "")
        problem(
            decorators.line_of("pagination") if saved.pagination else None,
            f"the query no longer parses {where} (a LIMIT/OFFSET of its own, or VALUES in a template?): {error}",
        )


def _mapping(value: object) -> dict[str, object]:
    """grlc writes defaults/enumerate as a list of one-key mappings (or bare names); accept a mapping too."""
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    merged: dict[str, object] = {}
    for item in _as_list(value):
        if isinstance(item, dict):
            merged.update({str(k): v for k, v in item.items()})
        elif item is not None:
            merged[str(item)] = None
    return merged


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _scalar(value: object) -> str:
    """YAML reads ``2030`` as a number and ``true`` as a boolean; parameters are strings on the wire."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
