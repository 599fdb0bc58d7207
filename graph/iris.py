"""The IRIs of everything the build mints, all under one configurable base.

Readable and stable: entities by their seed id, quotes by their offsets, facts by
subject, property and a digest of the object, so re-ordering seed files changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib import URIRef

from core.iris import DEFAULT_BASE_IRI

ONTOLOGY_SUFFIX = "ontology/"


@dataclass(frozen=True)
class Iris:
    base: str = DEFAULT_BASE_IRI

    @property
    def ontology_namespace(self) -> str:
        return self.base + ONTOLOGY_SUFFIX

    def entity(self, entity_id: str) -> URIRef:
        return URIRef(f"{self.base}id/{entity_id}")

    @property
    def themes_scheme(self) -> URIRef:
        return URIRef(f"{self.base}id/themes")

    def document(self, doc_id: str) -> URIRef:
        return URIRef(f"{self.base}doc/{doc_id}")

    def quote(self, doc_id: str, begin: int, end: int) -> URIRef:
        return URIRef(f"{self.base}quote/{doc_id}/{begin}-{end}")

    def sentence(self, doc_id: str, begin: int, end: int) -> URIRef:
        return URIRef(f"{self.base}sentence/{doc_id}/{begin}-{end}")

    def fact(self, doc_id: str, triple: tuple[URIRef, URIRef, object]) -> URIRef:
        subject, predicate, obj = triple
        n3 = obj.n3() if hasattr(obj, "n3") else str(obj)
        digest = hashlib.sha1(f"{subject} {predicate} {n3}".encode()).hexdigest()[:10]
        return URIRef(f"{self.base}fact/{doc_id}/{_tail(subject)}.{_tail(predicate)}.{digest}")

    def graph(self, role: str, doc_id: str | None = None) -> URIRef:
        return URIRef(f"{self.base}graph/{role}" + (f"/{doc_id}" if doc_id else ""))

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")


def _tail(iri: object) -> str:
    text = str(iri)
    return text.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
