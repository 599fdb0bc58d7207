"""From a client's arguments to the query text to evaluate: validation, binding and the page asked for.

Pure (no Flask, no engine), shared by the HTTP view and ``kg query --saved``. Every refusal is a
:class:`~core.parameters.ParameterError` naming the parameter and what it expects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.binding import bind_values, paginate
from core.catalogue import RESERVED, SavedQuery
from core.parameters import ParameterError

MAX_PAGE = 100_000
FORMAT_NAMES = frozenset({"format", "output", "results"})


@dataclass(frozen=True)
class PreparedCall:
    """A saved query ready to run: the text, and for a paginated query the page and how to probe for more."""

    query: str
    values: dict[str, str]
    page: int | None = None
    page_size: int | None = None
    probe_query: str | None = None


def prepare_call(saved: SavedQuery, arguments: Mapping[str, Sequence[str]], max_rows: int) -> PreparedCall:
    """Validate ``arguments`` (name to the values sent) against ``saved`` and bind them.

    A paginated query is cut to ``min(pagination, max_rows)`` rows per page; ``probe_query`` asks for one
    row more, which tells whether a next page exists without a second query.
    """
    values = _single_values(saved, arguments)
    bindings = []
    for parameter in saved.parameters:
        raw = values.get(parameter.name, "")
        if raw == "":
            raw = parameter.default or ""
        if raw == "":
            if parameter.required:
                raise ParameterError(parameter.name, f"missing; expected {parameter.expects}")
            continue
        bindings.append((parameter.variable, parameter.term(raw)))
    query = bind_values(saved.text, saved.form, bindings)
    accepted = {name: value for name, value in values.items() if name not in RESERVED and value != ""}
    if not saved.pagination:
        if values.get("page"):
            raise ParameterError("page", f"query '{saved.name}' is not paginated")
        return PreparedCall(query=query, values=accepted)
    page = _page(values.get("page", ""))
    size = max(1, min(saved.pagination, max_rows))
    offset = (page - 1) * size
    return PreparedCall(
        query=paginate(query, size, offset),
        values=accepted,
        page=page,
        page_size=size,
        probe_query=paginate(query, size + 1, offset),
    )


def _single_values(saved: SavedQuery, arguments: Mapping[str, Sequence[str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, sent in arguments.items():
        if saved.parameter(name) is None and name not in RESERVED:
            raise ParameterError(name, f"unknown parameter; query '{saved.name}' takes {_takes(saved)}")
        if len(sent) > 1 and name not in FORMAT_NAMES:
            raise ParameterError(name, "sent more than once; give one value")
        values[name] = sent[0] if sent else ""
    return values


def _page(raw: str) -> int:
    if raw == "":
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= MAX_PAGE:
        raise ParameterError("page", f"{raw[:20]!r} is not valid; expected a page number from 1 to {MAX_PAGE}")
    return int(raw)


def _takes(saved: SavedQuery) -> str:
    names = [p.name for p in saved.parameters] + (["page"] if saved.pagination else [])
    return ", ".join(names) if names else "no parameters"
