"""A tokeniser for the SPARQL lexical grammar, enough to reason about a query before it is evaluated.

The endpoint must know a query's form (for content negotiation), refuse updates and ``SERVICE`` (pyoxigraph
would make real outbound requests), and bound nesting, all *before* any engine sees the text. Keyword
filters on raw text are bypassed by mixed case, ``\\u`` escapes and keywords hidden next to strings or
IRIs, so the checks run on tokens: strings, IRIs and comments are recognised as whole tokens, and only
bare words can be keywords. The scanner never raises: anything it does not recognise becomes a one
character punctuation token, which keeps the checks conservative.
"""

from __future__ import annotations

import functools
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
_IRI = rf"<(?:[^<>\"{{}}|^`\\\x00-\x20]++|{_UCHAR})*+>"
# Whitespace and comments are skipped in front of each token, inside the token's own match, which halves
# the matches of a typical query; a gap with no token after it (the end of the text) is matched alone.
_GAP = r"(?:[\x20\t\r\n]++|\#[^\r\n]*+)"
_TOKEN = re.compile(
    rf"""
    {_GAP}*+
    (?:
      (?P<iri>{_IRI})
    | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
                |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
                |"(?:[^"\\\r\n]++|\\.)*+"
                |'(?:[^'\\\r\n]++|\\.)*+')
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
    | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<word>(?:{_NAME_RUN})++)
    | (?P<punct>.)
    )
  | (?P<gap>{_GAP}++)
    """,
    re.VERBOSE | re.DOTALL,
)
_KIND_OF_GROUP = [""] * (_TOKEN.groups + 1)  # the token kind matched, by the number of its group
for _name, _number in _TOKEN.groupindex.items():
    _KIND_OF_GROUP[_number] = _name
_GAP_GROUP = _TOKEN.groupindex["gap"]
# The declarations a query opens with (PREFIX and BASE, each ending with an IRI): clients send the same
# ones with every query, so their tokens are kept. An IRI token ends at its ">", so the tokens after the
# declarations are the ones the whole text would give from there.
_PROLOGUE = re.compile(
    rf"(?:{_GAP}*+(?:PREFIX{_GAP}*+(?:{_NAME_RUN})*+|BASE){_GAP}*+{_IRI})++", re.IGNORECASE | re.DOTALL
)
_PROLOGUES_KEPT = 32
_LONGEST_KEPT_PROLOGUE = 8_192  # characters: a longer one is scanned each time rather than kept
_CODEPOINT_ESCAPE = re.compile(_UCHAR)


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
    """The significant tokens of ``text`` as a list: the guard's hot path."""
    prologue = _PROLOGUE.match(text)
    if prologue is None or prologue.end() > _LONGEST_KEPT_PROLOGUE:
        return _scan(text, 0)
    end = prologue.end()
    return [*_prologue_tokens(text[:end]), *_scan(text, end)]


@functools.lru_cache(maxsize=_PROLOGUES_KEPT)
def _prologue_tokens(prologue: str) -> tuple[Token, ...]:
    return tuple(_scan(prologue, 0))


def _scan(text: str, start: int) -> list[Token]:
    """The tokens of ``text`` from ``start`` on, in one comprehension."""
    make = tuple.__new__  # what Token(...) calls, without its Python frame
    kinds = _KIND_OF_GROUP
    return [
        make(Token, (kinds[group], match.group(group), *match.span(group)))
        for match in _TOKEN.finditer(text, start)
        if (group := match.lastindex or _GAP_GROUP) != _GAP_GROUP  # one group always matches
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
