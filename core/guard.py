"""Checks a query text must pass before any engine sees it, and the facts about it the endpoint needs.

Everything here is pure (no I/O, no engine): it reads tokens from :mod:`core.lexer` and either returns a
:class:`QueryShape` or raises :class:`QueryRejected` with the status and message the client should get.
Limits exist because some inputs crash pyoxigraph outright (about 5,000 nested brackets or 10,000 UNION
branches end in SIGSEGV), and ``SERVICE`` is refused because pyoxigraph would fetch the remote endpoint.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace

from core.lexer import Token, expand_codepoint_escapes, token_list
from core.pattern import OnePattern, one_pattern

QUERY_FORMS = frozenset({"select", "ask", "construct", "describe"})
UPDATE_KEYWORDS = frozenset({"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy", "with"})
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = frozenset(_OPENERS.values())
_LARGEST_LIMIT = 2**64  # Oxigraph reads LIMIT as an unsigned 64-bit integer


class QueryRejected(Exception):
    """A query refused before evaluation; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on a query text, checked before evaluation."""

    max_chars: int = 100_000
    max_depth: int = 200
    max_unions: int = 1_000


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What the endpoint knows about an accepted query text.

    ``form`` is ``None`` when the text does not start like any query; the engine's parser then produces
    the error message. ``row_capped`` is the same query bounded so that it returns at most a given number
    of rows (``None`` when the form has no rows, when the query's own LIMIT is already lower, or when no
    bound can be set).
    """

    form: str | None
    has_dataset_clause: bool = False
    projection: tuple[str, ...] | None = None
    prologue_end: int = 0
    dataset_clauses: tuple[tuple[int, int], ...] = ()
    limit: int | None = None  # the query's own top-level LIMIT (SELECT only)
    limit_span: tuple[int, int] = (0, 0)  # where its number is in the text
    trailing_values: bool = False  # a VALUES block after the WHERE group, where no LIMIT may follow
    pattern: OnePattern | None = None  # the only triple pattern of a query that has one (core.pattern)

    def row_capped(self, text: str, limit: int) -> str | None:
        """``text`` bounded to ``limit`` rows, if it is a SELECT that could return more.

        The query's own LIMIT is lowered in place, or a LIMIT is added after its solution modifiers: the
        same solutions in the same order, and Oxigraph plans it as the query it is (a sub-select under a
        LIMIT costs up to twice as much to evaluate). Only a query ending with a VALUES block, which no
        LIMIT may follow, is wrapped as a sub-select instead.
        """
        if self.form != "select":
            return None
        if self.limit is not None:
            if self.limit < limit:
                return None
            start, end = self.limit_span
            return f"{text[:start]}{limit}{text[end:]}"
        if not self.trailing_values:
            return f"{text}\nLIMIT {limit}"  # on a line of its own: the text may end with a comment
        if self.projection is None:
            return None
        prologue = text[: self.prologue_end]
        datasets = " ".join(text[start:end] for start, end in self.dataset_clauses)
        inner = text[self.prologue_end :]
        if self.dataset_clauses:
            first, last = self.dataset_clauses[0][0], self.dataset_clauses[-1][1]
            inner = text[self.prologue_end : first] + " " + text[last:]
        head = " ".join(self.projection) if self.projection else "*"
        return f"{prologue}SELECT {head} {datasets} WHERE {{ {{\n{inner}\n}} }}\nLIMIT {limit}"


# Dashboards and saved queries send the same texts again and again; tokenising one costs about as much as
# answering it from the response cache, so accepted texts of ordinary size are analysed once. Rejections
# are exceptions, which the memo never keeps: they are re-checked each time.
_MEMO_ENTRIES = 512
_MEMO_MAX_CHARS = 8_192


def analyse(text: str, limits: Limits) -> QueryShape:
    """Check ``text`` against the limits and the refusals; describe its form for negotiation."""
    if len(text) <= _MEMO_MAX_CHARS:
        return _analyse_memo(text, limits)
    return _analyse(text, limits)


@functools.lru_cache(maxsize=_MEMO_ENTRIES)
def _analyse_memo(text: str, limits: Limits) -> QueryShape:
    return _analyse(text, limits)


def _analyse(text: str, limits: Limits) -> QueryShape:
    if len(text) > limits.max_chars:
        raise QueryRejected(413, f"query longer than {limits.max_chars} characters")
    tokens = token_list(text)
    _check_depth(tokens, limits)
    if _may_mention_service(text) and (
        _mentions_service(tokens) or _mentions_service(token_list(expand_codepoint_escapes(text)))
    ):
        raise QueryRejected(
            400, "SERVICE (federated query) is not supported: this endpoint never makes outbound requests"
        )
    form_index = _form_index(tokens)
    if form_index is None:
        return QueryShape(form=None)
    keyword = tokens[form_index].text.casefold()
    if keyword in UPDATE_KEYWORDS:
        raise QueryRejected(403, "SPARQL Update is not accepted: this endpoint is read-only")
    if keyword not in QUERY_FORMS:
        return QueryShape(form=None)
    # FROM is reserved: as a bare word it can only open a dataset clause.
    has_dataset = any(t.kind == "word" and t.text.casefold() == "from" for t in tokens)
    if keyword != "select":
        shape = QueryShape(form=keyword, has_dataset_clause=has_dataset, prologue_end=tokens[form_index].start)
    else:
        shape = _select_shape(tokens, form_index, has_dataset)
    if has_dataset or "\\u" in text or "\\U" in text:  # escapes: the text is not what the tokens spell
        return shape
    pattern = one_pattern(tokens, form_index)
    return shape if pattern is None else replace(shape, pattern=pattern)


def _check_depth(tokens: list[Token], limits: Limits) -> None:
    depth = deepest = unions = 0
    for token in tokens:
        if token.kind == "punct" and token.text in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.kind == "punct" and token.text in _CLOSERS:
            depth -= 1
        elif token.kind == "word" and token.text.casefold() == "union":
            unions += 1
    if deepest > limits.max_depth:
        raise QueryRejected(400, f"query nests brackets deeper than {limits.max_depth} levels")
    if unions > limits.max_unions:
        raise QueryRejected(400, f"query has more than {limits.max_unions} UNION branches")


def _keyword_candidates(word: str) -> list[str]:
    """The parts of a bare word that some reading of the grammar could take as a keyword.

    A prefixed name (``ex:service``) is one token, but its prefix and anything after a dot in it are
    split off too, so that ``a:b.SERVICE`` or ``1.SERVICE`` cannot smuggle the keyword through.
    """
    head, colon, tail = word.partition(":")
    parts = re.split(r"[.\-]", head)
    if colon:
        parts = parts[:-1] + re.split(r"[.:]", tail)[1:]
    return [unicodedata.normalize("NFKC", part).casefold() for part in parts if part]


def _may_mention_service(text: str) -> bool:
    """False only when no reading of ``text`` can hold the keyword: a quick test for most queries.

    For ASCII text NFKC is the identity and case folding is ``lower()``, so a token part reading
    ``service`` needs the letters in the text itself; a ``\\u`` escape could spell them, and anything
    beyond ASCII goes to the token-by-token check.
    """
    if not text.isascii():
        return True
    lowered = text.lower()
    return "service" in lowered or "\\u" in lowered


def _mentions_service(tokens: list[Token]) -> bool:
    for token in tokens:
        if token.kind == "word" and "service" in _keyword_candidates(token.text):
            return True
        if token.kind == "langtag" and "service" in token.text.casefold():
            return True
    return False


def _form_index(tokens: list[Token]) -> int | None:
    """Index of the first keyword after the prologue (BASE/PREFIX declarations)."""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.kind != "word":
            return None
        keyword = token.text.casefold()
        if keyword == "base":
            index += 2
        elif keyword == "prefix":
            index += 3
        else:
            return index
    return None


def _select_shape(tokens: list[Token], select_index: int, has_dataset: bool) -> QueryShape:
    """Find the projected variables and the FROM clauses of a SELECT, needed to wrap it under a LIMIT."""
    projection: list[str] = []
    star = False
    depth = 0
    index = select_index + 1
    while index < len(tokens):
        token = tokens[index]
        word = token.text.casefold() if token.kind == "word" else ""
        if depth == 0 and (token.text == "{" or word in ("where", "from")):
            break
        if token.kind == "punct" and token.text == "(":
            depth += 1
        elif token.kind == "punct" and token.text == ")":
            depth -= 1
        elif token.kind == "var" and depth == 0:
            projection.append("?" + token.text[1:])
        elif token.kind == "punct" and token.text == "*" and depth == 0:
            star = True
        elif word == "as" and depth == 1 and index + 1 < len(tokens) and tokens[index + 1].kind == "var":
            projection.append("?" + tokens[index + 1].text[1:])
        index += 1
    clauses, complete = _dataset_clauses(tokens, index)
    start = tokens[select_index].start
    limit, limit_span, trailing_values = _solution_modifiers(tokens, index)
    if star == bool(projection) or not complete:
        return QueryShape(
            form="select",
            has_dataset_clause=has_dataset,
            prologue_end=start,
            limit=limit,
            limit_span=limit_span,
            trailing_values=trailing_values,
        )
    return QueryShape(
        form="select",
        has_dataset_clause=has_dataset,
        projection=tuple(projection),
        prologue_end=start,
        dataset_clauses=tuple(clauses),
        limit=limit,
        limit_span=limit_span,
        trailing_values=trailing_values,
    )


def _solution_modifiers(tokens: list[Token], index: int) -> tuple[int | None, tuple[int, int], bool]:
    """The top-level LIMIT of a SELECT (its value and the span of its number) and whether a VALUES block
    ends the query, read from ``index`` (past the projection).

    Outside every bracket, past the projection, a SELECT holds only its dataset clauses, WHERE, the
    solution modifiers and a final VALUES: a LIMIT there is the query's own, never a sub-select's.
    """
    depth = 0
    limit: int | None = None
    span = (0, 0)
    trailing_values = False
    for position in range(index, len(tokens)):
        token = tokens[position]
        if token.kind == "punct" and token.text in _OPENERS:
            depth += 1
        elif token.kind == "punct" and token.text in _CLOSERS:
            depth -= 1
        elif depth == 0 and token.kind == "word":
            word = token.text.casefold()
            if word == "values":
                trailing_values = True
            elif word == "limit" and position + 1 < len(tokens):
                number = tokens[position + 1]
                if _is_limit_number(number):
                    limit, span = int(number.text), (number.start, number.end)
    return limit, span, trailing_values


def _is_limit_number(token: Token) -> bool:
    """A LIMIT's value the engine accepts: beyond it, the engine refuses the text and says why."""
    return token.kind == "word" and token.text.isascii() and token.text.isdigit() and int(token.text) < _LARGEST_LIMIT


def _dataset_clauses(tokens: list[Token], index: int) -> tuple[list[tuple[int, int]], bool]:
    clauses: list[tuple[int, int]] = []
    while index < len(tokens) and tokens[index].kind == "word" and tokens[index].text.casefold() == "from":
        start = tokens[index].start
        index += 1
        if index < len(tokens) and tokens[index].kind == "word" and tokens[index].text.casefold() == "named":
            index += 1
        if index >= len(tokens) or tokens[index].kind not in ("iri", "word"):
            return clauses, False
        clauses.append((start, tokens[index].end))
        index += 1
    following = tokens[index] if index < len(tokens) else None
    complete = following is not None and (
        following.text == "{" or (following.kind == "word" and following.text.casefold() == "where")
    )
    return clauses, complete
