"""What every page needs to name things: labels, alternative names, types and quotes, loaded once.

The data never changes while a server runs, so each web process asks the pool for these four small
tables the first time a page needs them and keeps them; a page then renders its links with labels without
one query per link. Search reads the same tables.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from server.pages.store import page_query, select
from server.pages.terms import OWL, PROV, RDF, RDF_TYPE, RDFS, SKOS, Term, local_name
from server.state import ServerState

MDK_SUFFIX = "ontology/"


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    """A sentence of a source that some quote lies in: the build's span, so pages and data cut alike."""

    iri: str
    document: str
    begin: int
    end: int


@dataclass(frozen=True, slots=True)
class QuoteInfo:
    """A quote of a source: its words and where they stand."""

    iri: str
    text: str
    begin: int | None
    end: int | None
    paragraph: int | None
    document: str | None
    speaker: str | None


@dataclass
class Index:
    """Labels by language, alternative names, types and quotes of the whole dataset."""

    base_iri: str
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    alt_labels: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)
    quotes: dict[str, QuoteInfo] = field(default_factory=dict)
    sentences: dict[str, SentenceSpan] = field(default_factory=dict)
    facts: dict[str, tuple[str, str, Term]] = field(default_factory=dict)  # fact -> (subject, property, object)

    @property
    def mdk(self) -> str:
        return self.base_iri + MDK_SUFFIX

    def label(self, iri: str, lang: str) -> str:
        """The label in ``lang``, else in the other language, else without language, else the local name."""
        by_lang = self.labels.get(iri) or EXTERNAL_LABELS.get(iri)
        if not by_lang:
            return self._derived_label(iri, lang)
        for choice in (lang, "en" if lang == "fr" else "fr", ""):
            if choice in by_lang:
                return by_lang[choice]
        return next(iter(by_lang.values()))

    def _derived_label(self, iri: str, lang: str) -> str:
        """What to call a quote (its first words) or a fact (its triple in words); else the IRI's last segment."""
        quote = self.quotes.get(iri)
        if quote is not None:
            words = quote.text if len(quote.text) <= 60 else quote.text[:57].rsplit(" ", 1)[0] + "…"
            return f"« {words} »"
        fact = self.facts.get(iri)
        if fact is not None:
            subject, predicate, obj = fact
            shown = self.label(obj.value, lang) if obj.is_iri else obj.display()
            return f"{self.label(subject, lang)} · {self.label(predicate, lang)} · {shown}"
        return local_name(iri)

    def label_lang(self, iri: str, lang: str) -> str:
        """The language the label of ``iri`` is actually in (for ``lang`` attributes on fallbacks)."""
        by_lang = self.labels.get(iri) or EXTERNAL_LABELS.get(iri, {})
        for choice in (lang, "en" if lang == "fr" else "fr"):
            if choice in by_lang:
                return choice
        return ""

    def term_label(self, term: Term, lang: str) -> str:
        return self.label(term.value, lang) if term.is_iri else term.display()

    def mdk_types(self, iri: str) -> list[str]:
        """The ontology classes of ``iri``, sorted (external alignments such as schema: left out)."""
        return sorted(t for t in self.types.get(iri, ()) if t.startswith(self.mdk))

    def kind(self, iri: str) -> str:
        """A coarse family for colours and icons: person, organisation, place, initiative, theme..."""
        names = {t.removeprefix(self.mdk) for t in self.types.get(iri, ())}
        for family, markers in _FAMILIES:
            if names & markers:
                return family
        return "other"


def _external(en: str, fr: str) -> dict[str, str]:
    return {"en": en, "fr": fr}


# Terms of other vocabularies that the pages show (a fact's parts, provenance) and the graph does not label.
EXTERNAL_LABELS = {
    RDF + "subject": _external("subject", "sujet"),
    RDF + "predicate": _external("property", "propriété"),
    RDF + "object": _external("object", "objet"),
    RDF_TYPE: _external("type", "type"),
    RDF + "Statement": _external("statement", "énoncé"),
    PROV + "wasDerivedFrom": _external("derived from", "tiré de"),
    PROV + "wasQuotedFrom": _external("quoted from", "cité de"),
    PROV + "Entity": _external("entity (PROV)", "entité (PROV)"),
    RDFS + "label": _external("label", "libellé"),
    RDFS + "comment": _external("comment", "commentaire"),
    RDFS + "subClassOf": _external("subclass of", "sous-classe de"),
    RDFS + "subPropertyOf": _external("subproperty of", "sous-propriété de"),
    RDFS + "domain": _external("domain", "domaine"),
    RDFS + "range": _external("range", "portée"),
    RDFS + "isDefinedBy": _external("defined by", "défini par"),
    SKOS + "altLabel": _external("alternative name", "autre nom"),
    SKOS + "broader": _external("broader", "plus général"),
    SKOS + "inScheme": _external("in scheme", "dans le schéma"),
    OWL + "inverseOf": _external("inverse of", "inverse de"),
    OWL + "equivalentClass": _external("equivalent class", "classe équivalente"),
    OWL + "Class": _external("class", "classe"),
    OWL + "ObjectProperty": _external("object property", "propriété d’objet"),
    OWL + "DatatypeProperty": _external("datatype property", "propriété de valeur"),
}

_FAMILIES = (
    ("figure", {"Figure"}),
    ("theme", {"Theme"}),
    ("person", {"Person"}),
    ("place", {"Place", "City", "Country", "Region", "Continent"}),
    ("initiative", {"Initiative", "Product", "Publication", "Award", "Event"}),
    ("organisation", {"Organisation", "Agent", "GovernmentBody"}),
    ("position", {"Position"}),
)


def _int(term: Term | None) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def load_index(state: ServerState) -> Index:
    index = Index(base_iri=state.info.base_iri or state.settings.base_iri)
    for row in select(state, page_query(state, "labels")):
        subject, label = row["s"].value, row["label"]
        if row["p"].value == SKOS + "altLabel":
            index.alt_labels.setdefault(subject, []).append((label.lang, label.value))
        elif row["p"].value == RDFS + "label" or label.lang not in index.labels.get(subject, {}):
            index.labels.setdefault(subject, {})[label.lang] = label.value
    for row in select(state, page_query(state, "types")):
        index.types.setdefault(row["s"].value, set()).add(row["type"].value)
    for row in select(state, page_query(state, "quotes")):
        quote = row["quote"].value
        index.quotes[quote] = QuoteInfo(
            iri=quote,
            text=row["text"].value,
            begin=_int(row.get("begin")),
            end=_int(row.get("end")),
            paragraph=_int(row.get("paragraph")),
            document=row["doc"].value if "doc" in row else None,
            speaker=row["speaker"].value if "speaker" in row else None,
        )
    for row in select(state, page_query(state, "sentences")):
        begin, end = _int(row["begin"]), _int(row["end"])
        if begin is not None and end is not None:
            sentence = row["sentence"].value
            index.sentences[sentence] = SentenceSpan(sentence, row["doc"].value, begin, end)
    for row in select(state, page_query(state, "facts")):
        index.facts[row["fact"].value] = (row["s"].value, row["p"].value, row["o"])
    for subject, names in index.alt_labels.items():
        index.alt_labels[subject] = _distinct_names(names, index.labels.get(subject, {}))
    return index


def _distinct_names(names: list[tuple[str, str]], labels: dict[str, str]) -> list[tuple[str, str]]:
    """Alternative names once each ("Mistral" in French and in English is one name), none equal to a label."""
    seen = {label.casefold() for label in labels.values()}
    kept = []
    for lang, name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append((lang, name))
    return kept


class IndexHolder:
    """Builds the index on first use, once per process, whichever request thread gets there first."""

    def __init__(self) -> None:
        self._index: Index | None = None
        self._version = ""
        self._lock = threading.Lock()

    def get(self, state: ServerState) -> Index:
        """The index of the dataset version served now (a remote store can be published to while serving)."""
        version = state.info.version
        if self._index is None or self._version != version:
            with self._lock:
                if self._index is None or self._version != version:
                    self._index = load_index(state)
                    self._version = version
        return self._index
