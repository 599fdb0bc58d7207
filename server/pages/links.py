"""Turning terms into what a page shows: a label in the reader's language and a link that stays on this
server for IRIs under the base (so the pages can be browsed offline and on any host)."""

from __future__ import annotations

from dataclasses import dataclass

from server.pages.index import Index
from server.pages.resolve import local_path
from server.pages.terms import Term
from server.pages.values import readable, readable_time

LANGUAGES = ("en", "fr")


@dataclass(frozen=True, slots=True)
class Shown:
    """A term ready for a template: its text, its link (none for literals), language and family."""

    text: str
    href: str | None
    lang: str
    family: str
    iri: str | None = None
    datatype: str = ""


@dataclass(frozen=True, slots=True)
class Linker:
    """Labels and links for one page, in one language."""

    index: Index
    lang: str

    def iri(self, iri: str) -> Shown:
        href = local_path(self.index.base_iri, iri) or iri
        label = self.index.label(iri, self.lang)
        if iri.startswith(self.index.base_iri + "id/time/"):  # a time value: its date in words
            label = readable_time(label, self.lang)
        return Shown(label, href, self.index.label_lang(iri, self.lang), self.index.kind(iri), iri)

    def term(self, term: Term) -> Shown:
        if term.is_iri:
            return self.iri(term.value)
        datatype = term.datatype.rsplit("#", 1)[-1] if term.datatype else ""
        words = readable(term, self.lang)
        if words is not None:
            return Shown(words, None, self.lang, "literal", None, "")
        return Shown(term.display(), None, term.lang, "literal", None, datatype)

    def path(self, iri: str) -> str:
        return local_path(self.index.base_iri, iri) or iri


def pick_language(requested: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=`` wins, then the reader's saved choice, then the browser's preference, then English."""
    for choice in (requested, cookie):
        if choice in LANGUAGES:
            return choice
    for entry in (accept_language or "").split(","):
        primary = entry.split(";")[0].strip().lower()[:2]
        if primary in LANGUAGES:
            return primary
    return "en"
