"""Queries over one triple pattern, read off the guard's tokens: the queries whose cost the data bounds.

A SELECT, ASK or CONSTRUCT whose WHERE clause is a single triple pattern, with no path, no sub-query, no
dataset clause and at most a few FILTERs of cheap tests, does little more work than there are triples
matching the pattern's constants: the engine reads them from one index, and the filters, sorting, DISTINCT,
OFFSET and a one-triple template only handle those, at a small cost each. Counting the matches, up to a
bound, before evaluating is then a complete cost check (:mod:`server.inline` answers such queries in the
HTTP worker when the count is small).

The reading is deliberately narrow: anything it does not recognise makes the query "not one pattern"
(``None``), and the query goes the usual way. A constant it cannot read with certainty (a relative IRI, a
string with escapes, a number) becomes a wildcard, which can only raise the count: the bound holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.lexer import Token

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_NUMBER_OR_BOOLEAN = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|true|false", re.IGNORECASE)
# What a FILTER may use and stay cheap for each match: tests, comparisons and functions whose result is
# no longer than their arguments (no CONCAT, REPLACE or ENCODE_FOR_URI, which nested grow exponentially;
# no REGEX, compiled from its pattern; no EXISTS, a pattern of its own), in a bounded number of tokens.
_CHEAP_FUNCTIONS = frozenset(
    {
        "str", "lang", "langmatches", "datatype", "bound", "sameterm", "isiri", "isuri", "isblank",
        "isliteral", "isnumeric", "strlen", "ucase", "lcase", "strstarts", "strends", "contains",
        "strbefore", "strafter", "substr", "abs", "ceil", "floor", "round", "year", "month", "day",
        "hours", "minutes", "seconds", "in", "not",
    }
)  # fmt: skip
_FILTER_PUNCTUATION = frozenset("!=<>&|+-*/,^")
_MOST_FILTER_TOKENS = 64


@dataclass(frozen=True, slots=True)
class Iri:
    """A constant IRI of the pattern, absolute."""

    value: str


@dataclass(frozen=True, slots=True)
class Text:
    """A constant literal of the pattern: a string with a language tag (lower case) or a datatype, or neither."""

    value: str
    language: str = ""
    datatype: str = ""


Term = Iri | Text | None  # None: any term (a variable, or a constant this reading leaves open)


@dataclass(frozen=True, slots=True)
class OnePattern:
    """The constants of a query's only triple pattern: what a count of its matches needs."""

    subject: Term
    predicate: Term
    object: Term


class _NotOnePattern(Exception):
    """The tokens stray from the narrow grammar: the query is evaluated the usual way."""


def one_pattern(tokens: list[Token], form_index: int) -> OnePattern | None:
    """The pattern of a one-pattern SELECT, ASK or CONSTRUCT; ``None`` for any other query.

    ``form_index`` is the index of the query form's keyword, after the prologue (see
    :func:`core.guard.analyse`).
    """
    try:
        return _Reader(tokens, form_index).query()
    except _NotOnePattern:
        return None


class _Reader:
    """A cursor over the tokens, for the grammar (keywords are matched case-insensitively)::

    query     := prologue ( select | ask | construct )
    select    := SELECT [DISTINCT | REDUCED] ( '*' | var+ ) [WHERE] group modifiers
    ask       := ASK [WHERE] group
    construct := CONSTRUCT ( '{' triple ['.'] '}' [WHERE] group | WHERE '{' triple ['.'] '}' ) modifiers
    group     := '{' filter* triple ['.'] filter* '}'
    filter    := FILTER [cheap-function] '(' cheap tokens, at most 64 ')' ['.']
    modifiers := [ORDER BY ( var | (ASC | DESC) '(' var ')' )+] [LIMIT n] [OFFSET n] (either order)
    """

    def __init__(self, tokens: list[Token], form_index: int) -> None:
        self._tokens = tokens
        self._at = form_index
        self._prefixes = _prologue_prefixes(tokens[:form_index])

    def query(self) -> OnePattern:
        form = self._word()
        if form == "select":
            self._accept("distinct") or self._accept("reduced")
            if not self._accept("*"):
                self._expect_kind("var")
                while self._peek_kind() == "var":
                    self._at += 1
            self._accept("where")
            pattern = self._group(filters=True)
            self._modifiers()
        elif form == "ask":
            self._accept("where")
            pattern = self._group(filters=True)
        elif form == "construct":
            if self._accept("where"):
                pattern = self._group()  # the short form: the pattern is the template, no FILTER
            else:
                self._group()  # the template: one triple per solution
                self._accept("where")
                pattern = self._group(filters=True)
            self._modifiers()
        else:
            raise _NotOnePattern
        if self._at != len(self._tokens):
            raise _NotOnePattern
        return pattern

    def _group(self, filters: bool = False) -> OnePattern:
        self._expect("{")
        if filters:
            self._filters()
        subject = self._term(("var", "iri", "name"))
        predicate = self._term(("var", "iri", "name", "a"))
        object_ = self._term(("var", "iri", "name", "literal"))
        self._accept(".")  # the lexer reads a lone dot as a word or as punctuation
        if filters:
            self._filters()
        self._expect("}")
        return OnePattern(subject, predicate, object_)

    def _filters(self) -> None:
        while self._accept("filter"):
            self._filter_expression()
            self._accept(".")  # the lexer reads a lone dot as a word or as punctuation

    def _filter_expression(self) -> None:
        """``( expression )`` or ``function( arguments )``, of cheap functions and few tokens only."""
        if self._peek_word() in _CHEAP_FUNCTIONS:
            self._at += 1
        self._expect("(")
        depth = 1
        for _ in range(_MOST_FILTER_TOKENS):
            token = self._next()
            if token.kind == "punct":
                if token.text == "(":
                    depth += 1
                elif token.text == ")":
                    depth -= 1
                    if not depth:
                        return
                elif token.text not in _FILTER_PUNCTUATION:
                    raise _NotOnePattern
            elif token.kind == "word":
                word = token.text.casefold()
                if ":" in word:
                    self._expand(token.text)  # a cast (xsd:integer(?x)) or a constant
                elif word not in _CHEAP_FUNCTIONS and not _NUMBER_OR_BOOLEAN.fullmatch(word):
                    raise _NotOnePattern
        raise _NotOnePattern  # a long expression: its cost per match is not small

    def _modifiers(self) -> None:
        if self._accept("order"):
            self._expect("by")
            self._order_key()
            while self._peek_kind() == "var" or self._peek_word() in ("asc", "desc"):
                self._order_key()
        seen: set[str] = set()
        while (word := self._peek_word()) in ("limit", "offset") and word not in seen:
            seen.add(word)
            self._at += 1
            number = self._next()
            if number.kind != "word" or not number.text.isascii() or not number.text.isdigit():
                raise _NotOnePattern

    def _order_key(self) -> None:
        if self._peek_kind() == "var":
            self._at += 1
            return
        if self._word() not in ("asc", "desc"):
            raise _NotOnePattern  # an expression: its cost is not the pattern's
        self._expect("(")
        self._expect_kind("var")
        self._expect(")")

    def _term(self, allowed: tuple[str, ...]) -> Term:
        token = self._next()
        if token.kind == "var":
            return None
        if token.kind == "iri":
            iri = token.text[1:-1]
            return Iri(iri) if _ABSOLUTE_IRI.match(iri) and "\\" not in iri else None
        if token.kind == "word" and token.text == "a" and "a" in allowed:
            return Iri(RDF_TYPE)
        if token.kind == "word" and "name" in allowed and ":" in token.text:
            return Iri(self._expand(token.text))
        if token.kind == "word" and "literal" in allowed and _NUMBER_OR_BOOLEAN.fullmatch(token.text):
            return None  # a typed value: left open rather than spelled as the engine would
        if token.kind == "string" and "literal" in allowed:
            return self._literal(token)
        raise _NotOnePattern

    def _literal(self, token: Token) -> Term:
        text = token.text
        exact = not text.startswith(('"""', "'''")) and "\\" not in text
        value = text[1:-1]
        if self._peek_kind() == "langtag":
            language = self._next().text[1:].lower()  # the engine keeps language tags in lower case
            return Text(value, language=language) if exact else None
        if self._accept("^"):
            self._expect("^")
            datatype = self._term(("iri", "name"))
            return Text(value, datatype=datatype.value) if exact and isinstance(datatype, Iri) else None
        return Text(value) if exact else None

    def _expand(self, name: str) -> str:
        prefix, _, local = name.partition(":")
        namespace = self._prefixes.get(prefix)
        if namespace is None or "\\" in name or name.endswith(".") or prefix.startswith("_"):
            raise _NotOnePattern  # undeclared, escaped, a blank node or a dot the grammar would split off
        return namespace + local

    # the cursor
    def _next(self) -> Token:
        if self._at >= len(self._tokens):
            raise _NotOnePattern
        token = self._tokens[self._at]
        self._at += 1
        return token

    def _peek_kind(self) -> str:
        return self._tokens[self._at].kind if self._at < len(self._tokens) else ""

    def _peek_word(self) -> str:
        if self._at < len(self._tokens) and self._tokens[self._at].kind == "word":
            return self._tokens[self._at].text.casefold()
        return ""

    def _word(self) -> str:
        token = self._next()
        if token.kind != "word":
            raise _NotOnePattern
        return token.text.casefold()

    def _accept(self, text: str) -> bool:
        """Step over the next token if it is the keyword ``text`` (in any case) or the punctuation ``text``."""
        if self._at < len(self._tokens):
            token = self._tokens[self._at]
            if token.kind in ("word", "punct") and token.text.casefold() == text:
                self._at += 1
                return True
        return False

    def _expect(self, text: str) -> None:
        if not self._accept(text):
            raise _NotOnePattern

    def _expect_kind(self, kind: str) -> None:
        if self._next().kind != kind:
            raise _NotOnePattern


def _prologue_prefixes(prologue: list[Token]) -> dict[str, str]:
    """The prefixes the prologue declares; a BASE (relative IRIs then resolve against it) reads as none."""
    prefixes: dict[str, str] = {}
    index = 0
    while index < len(prologue):
        keyword = prologue[index].text.casefold()
        if keyword == "base":
            raise _NotOnePattern
        if index + 2 >= len(prologue) or prologue[index + 1].kind != "word" or prologue[index + 2].kind != "iri":
            raise _NotOnePattern
        name = prologue[index + 1].text
        if not name.endswith(":") or not _ABSOLUTE_IRI.match(prologue[index + 2].text[1:-1]):
            raise _NotOnePattern
        prefixes[name[:-1]] = prologue[index + 2].text[1:-1]
        index += 3
    return prefixes
