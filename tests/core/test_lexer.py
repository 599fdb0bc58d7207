"""The tokeniser's regular expression, held equal to its plain form on arbitrary text.

The shipped pattern matches runs of ordinary characters possessively, which is faster but only correct
because the alternatives inside each run are disjoint; the plain pattern below (one character per
step, backtracking allowed) is the reference it must agree with, token for token.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from core.lexer import Token, token_list, tokenize

_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_NAME_CHAR = r"[\w\u00B7\u0300-\u036F\u203F\u2040.:\-]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_REFERENCE = re.compile(
    rf"""
    (?P<ws>[\x20\t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
  | (?P<string>\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |"(?:[^"\\\r\n]|\\.)*"
              |'(?:[^'\\\r\n]|\\.)*')
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>(?:{_NAME_CHAR})+)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# the characters that decide where tokens start and end, and a few ordinary ones
_SPARQL_TEXT = st.text(alphabet=st.sampled_from("<>\"'\\#%@?$:.-_ \t\r\nuU0aF9zé·{}()|^`=+,;!~/\x00"), max_size=60)


def _reference(text: str) -> list[Token]:
    return [
        Token(match.lastgroup, match.group(), match.start(), match.end())  # type: ignore[arg-type]
        for match in _REFERENCE.finditer(text)
        if match.lastgroup not in ("ws", "comment")
    ]


@settings(max_examples=5000, deadline=None)
@given(_SPARQL_TEXT)
def test_the_tokeniser_agrees_with_its_plain_form(text: str) -> None:
    assert token_list(text) == _reference(text)


def test_the_tokeniser_on_a_query_with_every_kind_of_token() -> None:
    text = (
        'PREFIX ex: <http://ex.org/\\u0041> SELECT ?x $y WHERE { ?x ex:p\\.q "a\\"b"@en-GB, '
        "'''long\n'text''' ; ex:n%41 1.5e3 } # comment\n"
    )
    kinds = [token.kind for token in token_list(text)]
    assert kinds == [
        "word", "word", "iri", "word", "var", "var", "word", "punct", "var", "word",
        "string", "langtag", "punct", "string", "punct", "word", "word", "punct",
    ]  # fmt: skip
    assert token_list(text) == _reference(text) == list(tokenize(text))


_GAPS = st.sampled_from(["", " ", "\n", "\t ", " # a comment <x>\n", "#\n"])
_DECLARATION = st.one_of(
    st.builds(
        lambda keyword, gap, name, gap_after, iri: f"{keyword}{gap or ' '}{name}:{gap_after}<{iri}>",
        st.sampled_from(["PREFIX", "prefix", "Prefix"]),
        _GAPS,
        st.sampled_from(["", "ex", "a.b", "x-y", "é", "p%41"]),
        _GAPS,
        st.sampled_from(["http://ex.org/", "", "urn:x#", "http://ex.org/\\u0041"]),
    ),
    st.builds(lambda gap, iri: f"BASE{gap}<{iri}>", _GAPS, st.sampled_from(["http://ex.org/", ""])),
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.tuples(_GAPS, _DECLARATION), min_size=1, max_size=4), _SPARQL_TEXT)
def test_the_kept_tokens_of_a_prologue_are_those_of_the_whole_text(
    declarations: list[tuple[str, str]], rest: str
) -> None:
    """The tokens of PREFIX and BASE declarations are kept from one query to the next; the whole text,
    whatever follows them, must still read as its plain form reads it."""
    text = "".join(gap + declaration for gap, declaration in declarations) + rest
    assert token_list(text) == _reference(text)
    assert token_list(text) == _reference(text)  # the second time from the kept tokens
