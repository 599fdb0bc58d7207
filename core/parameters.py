"""Parameters of saved queries: named the grlc/BASIL way, validated into typed RDF terms.

A variable ``?_name`` is a required parameter, ``?__name`` an optional one; a suffix gives the type:
``_iri``, ``_number``, ``_integer`` (or any supported XSD datatype: ``_decimal``, ``_boolean``, ``_date``,
``_gYear``, ``_gYearMonth``), ``_xsd_date`` (prefix and datatype), a two-letter language (``_en``: a literal
in that language); no suffix is a plain string. Those are grlc's conventions, so existing grlc collections
keep working; what differs is that the value is checked against the type here and becomes a term in a
``VALUES`` block (:mod:`core.binding`), so a quote, ``>`` or ``}`` in a value is data, not syntax.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from core import terms
from core.terms import XSD

_VARIABLE = re.compile(
    r"_(?P<optional>_?)(?P<name>[A-Za-z0-9]+)(?:_(?P<type>[A-Za-z0-9]+))?(?:_(?P<extra>[A-Za-z0-9]+))?"
)
_IRI = re.compile(r"https?://[^\x00-\x20<>\"{}|^`\\]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LANGUAGE = re.compile(r"[a-z]{2}")
MAX_IRI_LENGTH = 2000
MAX_TEXT_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Lexical:
    """How a literal of one datatype is written, checked and described to clients."""

    pattern: str
    expects: str
    schema: dict[str, object]


LEXICAL: dict[str, Lexical] = {
    "string": Lexical(r"(?s).*", "a text", {"type": "string"}),
    "integer": Lexical(r"[+-]?\d{1,18}", "an integer", {"type": "integer"}),
    "decimal": Lexical(r"[+-]?(\d{1,18}(\.\d{1,18})?|\.\d{1,18})", "a decimal number", {"type": "number"}),
    "boolean": Lexical(r"true|false", "true or false", {"type": "boolean"}),
    "date": Lexical(r"\d{4}-\d{2}-\d{2}", "a date YYYY-MM-DD", {"type": "string", "format": "date"}),
    "gYear": Lexical(r"\d{4}", "a year YYYY", {"type": "string", "pattern": r"^\d{4}$"}),
    "gYearMonth": Lexical(
        r"\d{4}-(0[1-9]|1[0-2])", "a year and month YYYY-MM", {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"}
    ),
}
TYPE_NAMES = ("iri", "string", "number", *LEXICAL)


class ParameterError(ValueError):
    """A client's value does not fit the parameter; the message names both, for a 400 answer."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"parameter '{name}': {message}")
        self.name = name


class UnsupportedType(ValueError):
    """A query file names a parameter type this server cannot validate (a problem of the file)."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of a saved query and everything needed to check, bind and document it."""

    name: str
    variable: str
    required: bool
    kind: str
    language: str | None = None
    enum: tuple[str, ...] = ()
    default: str | None = None
    description: str = ""
    example: str | None = None

    @property
    def datatype(self) -> str | None:
        """The XSD datatype IRI of the bound literal (``None`` for IRIs, numbers and tagged strings)."""
        return XSD + self.kind if self.kind in LEXICAL and self.kind != "string" else None

    @property
    def max_length(self) -> int:
        return MAX_IRI_LENGTH if self.kind == "iri" else MAX_TEXT_LENGTH

    @property
    def expects(self) -> str:
        """What a valid value looks like, in the words of an error message."""
        if self.enum:
            return "one of " + ", ".join(self.enum)
        if self.kind == "iri":
            return "an absolute http(s) IRI without spaces, quotes or <>{}|^`\\"
        if self.kind == "number":
            return "a number"
        if self.language:
            return f"a text (bound in language '{self.language}')"
        return LEXICAL[self.kind].expects

    def term(self, raw: str) -> str:
        """The SPARQL term for ``raw``; raises :class:`ParameterError` when it does not fit."""
        if len(raw) > self.max_length:
            raise ParameterError(self.name, f"longer than {self.max_length} characters; expected {self.expects}")
        if self.enum and raw not in self.enum:
            raise ParameterError(self.name, f"{_shown(raw)} is not allowed; expected {self.expects}")
        if self.kind == "iri":
            return terms.iri(self._checked_iri(raw))
        if self.kind == "number":
            kind = "integer" if re.fullmatch(LEXICAL["integer"].pattern, raw) else "decimal"
            return terms.typed(self._checked_lexical(raw, kind), XSD + kind)
        text = self._checked_lexical(raw, self.kind)
        if self.language:
            return terms.tagged(text, self.language)
        return terms.string(text) if self.kind == "string" else terms.typed(text, XSD + self.kind)

    def _checked_iri(self, raw: str) -> str:
        if not _IRI.fullmatch(raw) or not urlsplit(raw).netloc:
            raise ParameterError(self.name, f"{_shown(raw)} is not valid; expected {self.expects}")
        return raw

    def _checked_lexical(self, raw: str, kind: str) -> str:
        lexical = LEXICAL[kind]
        if kind == "string":
            if _CONTROL.search(raw):
                raise ParameterError(self.name, "control characters are not accepted; expected a text")
            return raw
        if not re.fullmatch(lexical.pattern, raw):
            raise ParameterError(self.name, f"{_shown(raw)} is not valid; expected {self.expects}")
        if kind == "date":
            try:
                datetime.date.fromisoformat(raw)
            except ValueError:
                raise ParameterError(self.name, f"{_shown(raw)} is not a real date; expected {self.expects}") from None
        return _canonical(raw, kind)


def _canonical(raw: str, kind: str) -> str:
    """Integers in canonical form, so that ``007`` joins with the data's ``7`` (VALUES joins on terms)."""
    if kind == "integer":
        return str(int(raw))
    return raw.removeprefix("+")


def _shown(raw: str) -> str:
    """The value as a client can read it back in an error message, shortened."""
    return repr(raw if len(raw) <= 60 else raw[:57] + "...")


def parameter_from_variable(variable: str) -> Parameter | None:
    """The parameter a query variable declares (``?_name_type``), or ``None`` for an ordinary variable.

    Raises :class:`UnsupportedType` when the suffix names a type this server cannot check.
    """
    bare = variable.lstrip("?$")
    if not bare.startswith("_"):
        return None
    match = _VARIABLE.fullmatch(bare)
    if not match:
        raise UnsupportedType(f"{variable} starts like a parameter but is not ?_name or ?__name with a _type suffix")
    kind, language = _kind(match.group("type"), match.group("extra"))
    return Parameter(
        name=match.group("name"),
        variable=variable,
        required=not match.group("optional"),
        kind=kind,
        language=language,
    )


def _kind(suffix: str | None, extra: str | None) -> tuple[str, str | None]:
    if extra is not None:
        if suffix != "xsd" or extra not in LEXICAL:
            raise UnsupportedType(f"datatype {suffix}:{extra} is not supported (use xsd: with one of {_xsd_list()})")
        return extra, None
    if suffix in (None, "literal", "string"):
        return "string", None
    if suffix in ("iri", "number") or suffix in LEXICAL:
        return suffix, None
    if _LANGUAGE.fullmatch(suffix):
        return "string", suffix
    raise UnsupportedType(
        f"type suffix _{suffix} is not supported (use _iri, _number, _xx for a language, {_xsd_list()})"
    )


def _xsd_list() -> str:
    return ", ".join(f"_{name}" for name in LEXICAL)
