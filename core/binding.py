"""Placing validated terms and page bounds into a saved query's text, without changing its structure.

Values go into one ``VALUES`` block at the start of the outermost ``WHERE`` group: standard SPARQL, so the
variables of subqueries keep their own scope (rdflib's ``initBindings`` would bind them too) and pyoxigraph
evaluates it natively. The group is found on tokens (:mod:`core.lexer`), so braces inside strings, IRIs,
comments or a projection's ``EXISTS`` are never mistaken for it.
"""

from __future__ import annotations

from functools import lru_cache

from core.lexer import tokenize

_OPEN = {"(": "paren", "{": "brace", "[": "bracket"}
_CLOSE = {")": "paren", "}": "brace", "]": "bracket"}


class NoWhereGroup(ValueError):
    """The query has no group pattern where a VALUES block can stand."""


@lru_cache(maxsize=512)
def where_group_start(text: str, form: str) -> int:
    """Offset just after the ``{`` opening the outermost WHERE group of ``text``.

    Memoised: the texts are the catalogue's (saved and page queries, a few dozen), bound on every call, and
    lexing one costs about 0.1 ms; a text without a WHERE group raises each time (exceptions are not cached).

    The first top-level brace group after the query form is the WHERE group, except for a CONSTRUCT
    with a template, where it is the second.
    """
    groups_seen = 0
    skip = 1 if form == "construct" else 0
    depth = 0
    started = False
    for token in tokenize(text):
        if not started:
            started = token.kind == "word" and token.text.casefold() == form
            continue
        if token.kind != "punct":
            if form == "construct" and depth == 0 and groups_seen == 0 and token.text.casefold() == "where":
                skip = 0  # CONSTRUCT WHERE { ... }: the short form, whose group is also the template
            continue
        if token.text in _OPEN:
            if depth == 0 and token.text == "{":
                if groups_seen == skip:
                    return token.end
                groups_seen += 1
            depth += 1
        elif token.text in _CLOSE:
            depth -= 1
    raise NoWhereGroup(f"no WHERE group found in this {form.upper()} query")


def bind_values(text: str, form: str, bindings: list[tuple[str, str]]) -> str:
    """``text`` with ``VALUES (?a ?b) { (term term) }`` opening its WHERE group; unchanged if no bindings."""
    if not bindings:
        return text
    start = where_group_start(text, form)
    variables = " ".join(variable for variable, _term in bindings)
    row = " ".join(term for _variable, term in bindings)
    return f"{text[:start]}\n  VALUES ({variables}) {{ ({row}) }}\n{text[start:]}"


def paginate(text: str, limit: int, offset: int) -> str:
    """``text`` followed by ``LIMIT``/``OFFSET`` on lines of their own (a final comment cannot swallow them)."""
    return f"{text.rstrip()}\nLIMIT {int(limit)}\nOFFSET {int(offset)}\n"
