"""SPARQL syntax for RDF terms built from values that were already validated.

This is the only place where a client's value becomes query text, so the escaping lives here alone:
strings are escaped per the SPARQL grammar (``ECHAR``), IRIs are written only after
:mod:`core.parameters` has refused every character the ``IRIREF`` production excludes.
"""

from __future__ import annotations

XSD = "http://www.w3.org/2001/XMLSchema#"
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_IRI_EXCLUDED = frozenset('<>"{}|^`\\') | frozenset(chr(code) for code in range(0x21))


class UnsafeTerm(ValueError):
    """A value reached serialisation without being validated first: a programming error, never input."""


def iri(value: str) -> str:
    """``<value>``; refuses any character that could end the IRI or the group it stands in."""
    if not value or any(char in _IRI_EXCLUDED for char in value):
        raise UnsafeTerm(f"not a safe IRI: {value!r}")
    return f"<{value}>"


def string(value: str) -> str:
    """A double-quoted string literal with every special character escaped."""
    return '"' + "".join(_ESCAPES.get(char, char) for char in value) + '"'


def typed(lexical: str, datatype: str) -> str:
    """A literal with a datatype IRI, e.g. ``"2030"^^<http://www.w3.org/2001/XMLSchema#gYear>``."""
    return f"{string(lexical)}^^{iri(datatype)}"


def tagged(value: str, language: str) -> str:
    """A language-tagged string; ``language`` comes from the query file, checked when it is loaded."""
    if not language.replace("-", "").isalnum():
        raise UnsafeTerm(f"not a language tag: {language!r}")
    return f"{string(value)}@{language}"
