"""The saved queries as forms for people: one field per parameter, labels instead of IRIs.

An enumerated parameter is a select whose options are the labels of its IRIs; an IRI parameter is a text
field that takes a name (completed from search by ``static/queries.js``, or matched here against the labels
when typed by hand, so ``city=Rabat`` works) or an IRI; ``lang`` follows the interface's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.catalogue import SavedQuery
from core.parameters import Parameter
from server.pages.engine import fold
from server.pages.index import Index

# Which kind of search result completes an IRI parameter, by the parameter's name.
COMPLETION_KINDS = {"city": "place", "country": "place", "place": "place", "theme": "theme", "property": "term"}


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    text: str


@dataclass(frozen=True, slots=True)
class Field:
    """One form field: what to call it, how to enter it, what it holds now, and its error if any."""

    name: str
    required: bool
    widget: str  # "select", "entity", "number" or "text"
    value: str
    shown: str  # for an entity field: the label of the value
    options: tuple[Option, ...]
    hint: str
    complete_kind: str = ""
    error: str = ""


def _required(parameter: Parameter) -> bool:
    return parameter.required and parameter.default is None


def _option_text(index: Index, value: str, lang: str) -> str:
    return index.label(value, lang) if value.startswith(("http://", "https://")) else value


def form_fields(
    saved: SavedQuery, index: Index, lang: str, values: dict[str, str], errors: dict[str, str]
) -> list[Field]:
    """The fields of ``saved``'s form, filled with ``values`` (or its example for a required parameter)."""
    fields = []
    for parameter in saved.parameters:
        value = values.get(parameter.name, "")
        if not value and parameter.name == "lang":
            value = lang
        if not value and _required(parameter) and parameter.example:
            value = parameter.example
        hint = parameter.description or parameter.expects
        error = errors.get(parameter.name, "")
        if parameter.enum:
            options = tuple(
                sorted((Option(v, _option_text(index, v, lang)) for v in parameter.enum), key=lambda o: fold(o.text))
            )
            fields.append(Field(parameter.name, _required(parameter), "select", value, "", options, hint, "", error))
        elif parameter.kind == "iri":
            shown = index.label(value, lang) if value in index.labels else value
            kind = COMPLETION_KINDS.get(parameter.name, "")
            fields.append(Field(parameter.name, _required(parameter), "entity", value, shown, (), hint, kind, error))
        else:
            widget = "number" if parameter.kind in ("integer", "decimal", "number", "gYear") else "text"
            fields.append(Field(parameter.name, _required(parameter), widget, value, "", (), hint, "", error))
    return fields


def resolve_names(saved: SavedQuery, index: Index, values: dict[str, str]) -> dict[str, str]:
    """IRI parameters given as a name (``Rabat``, ``rabat``, ``Marrakech``) replaced by the IRI so named.

    Only exact names (accents and case aside) are taken, in either language or as an alternative name; a
    name nobody has is left as typed, and the parameter check then says what it expects.
    """
    names: dict[str, str] = {}
    for iri, by_lang in index.labels.items():
        for label in (*by_lang.values(), *(alt for _, alt in index.alt_labels.get(iri, []))):
            names.setdefault(fold(label), iri)
    resolved = dict(values)
    for parameter in saved.parameters:
        raw = values.get(parameter.name, "")
        if parameter.kind == "iri" and raw and not raw.startswith(("http://", "https://")):
            resolved[parameter.name] = names.get(fold(raw.strip()), raw)
    return resolved
