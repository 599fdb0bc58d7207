"""A tokeniser for the SPARQL lexical grammar, enough to reason about a query before it is evaluated.

The endpoint must know a query's form (for content negotiation), refuse updates and ``SERVICE`` (pyoxigraph
would make real outbound requests), and bound nesting, all *before* any engine sees the text. Keyword
filters on raw text are bypassed by mixed case, ``\\u`` escapes and keywords hidden next to strings or
IRIs, so the checks run on tokens: strings, IRIs and comments are recognised as whole tokens, and only
bare words can be keywords. The scanner never raises: anything it does not recognise becomes a one
character punctuation token, which keeps the checks conservative.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Literal, NamedTuple

TokenKind = Literal["iri", "string", "var", "langtag", "word", "punct"]

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
# Runs of ordinary characters are matched whole and never given back (possessive ``++``, ``*+``): each
# alternative inside a run is disjoint from the others and from what may follow the run, so no other
# split could match, and IRIs, strings and words cost one step per run instead of one per character
# (the tokeniser took 26 us for a query with its prefixes; tests/core holds it equal to the plain form).
_NAME_RUN = r"[\w\u00B7\u0300-\u036F\u203F\u2040.:\-]++|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    rf"""
    (?P<ws>[\x20\t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]++|{_UCHAR})*+>)
  | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |"(?:[^"\\\r\n]++|\\.)*+"
              |'(?:[^'\\\r\n]++|\\.)*+')
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>(?:{_NAME_RUN})++)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_CODEPOINT_ESCAPE = re.compile(_UCHAR)
_SKIPPED = frozenset({"ws", "comment"})


class Token(NamedTuple):
    """One lexical token with its span in the scanned text (a tuple: half the cost of a frozen dataclass,
    and a query has dozens)."""

    kind: TokenKind
    text: str
    start: int
    end: int


def tokenize(text: str) -> Iterator[Token]:
    """Yield the significant tokens of ``text`` (whitespace and comments dropped)."""
    yield from token_list(text)


def token_list(text: str) -> list[Token]:
    """The significant tokens of ``text`` as a list: the guard's hot path, one comprehension."""
    make = tuple.__new__  # what Token(...) calls, without its Python frame
    return [
        make(Token, (kind, match.group(), *match.span()))
        for match in _TOKEN.finditer(text)
        if (kind := match.lastgroup) not in _SKIPPED
    ]


def expand_codepoint_escapes(text: str) -> str:
    """Apply the ``\\uXXXX``/``\\UXXXXXXXX`` pre-processing the SPARQL grammar defines on the whole text.

    pyoxigraph only decodes escapes inside IRIs and strings, the specification (and rdflib) everywhere;
    the checks look at both readings so that neither can hide a keyword.
    """

    def decode(match: re.Match[str]) -> str:
        code = int(match.group()[2:], 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _CODEPOINT_ESCAPE.sub(decode, text)
