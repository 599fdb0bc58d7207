"""Turn located seed records into RDF: entity declarations, facts, and their provenance.

Every triple that a claim states lands in the facts graph of its document, and is
reified once per document as an ``mdk:Fact`` (``rdf:subject``/``rdf:predicate``/
``rdf:object``) linked to each ``mdk:Quote`` that supports it. Quotes carry their exact
text and code-point offsets in the source. All names are checked against the ontology;
problems are collected with file and line and raised together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from core.errors import BuildError, Problem
from graph.attribution import QualifierCheck, SentenceIndex, Voice, question_only_reason, voice_of
from graph.iris import Iris
from graph.records import (
    ClaimSpec,
    DocumentSpec,
    EntityRef,
    EntitySpec,
    FactSpec,
    FigureSpec,
    Located,
    Seeds,
    TypedValue,
)
from graph.temporal import time_value
from graph.text import Span, find_quote, paragraph_of
from graph.values import date_reason, describe, is_year, literals
from graph.vocabulary import Vocabulary


@dataclass
class MappedGraphs:
    """The three graphs the seeds produce, before reasoning."""

    entities: Graph
    facts: dict[str, Graph]
    provenance: Graph
    fact_count: int = 0
    quote_spans: dict[str, list[Span]] = field(default_factory=dict)


class _Mapper:
    def __init__(self, seeds: Seeds, vocab: Vocabulary, iris: Iris) -> None:
        self.seeds = seeds
        self.vocab = vocab
        self.iris = iris
        self.mdk = Namespace(vocab.namespace)
        self.problems: list[Problem] = []
        self.entity_types: dict[URIRef, frozenset[URIRef]] = dict(vocab.individual_types)
        self.declared: dict[str, EntitySpec | FigureSpec] = {}
        self.entities = Graph()
        self.provenance = Graph()
        self.facts: dict[str, Graph] = {}
        self.fact_nodes: dict[tuple[str, URIRef, URIRef, object], URIRef] = {}
        self.quote_spans: dict[str, list[Span]] = {}
        self.sentence_index: dict[str, SentenceIndex] = {}

    # -- entities ---------------------------------------------------------------------

    def declare_all(self) -> None:
        scheme = self.iris.themes_scheme
        self.entities.add((scheme, RDF.type, SKOS.ConceptScheme))
        for lang, text in (("fr", "thèmes et secteurs"), ("en", "themes and sectors")):
            self.entities.add((scheme, RDFS.label, Literal(text, lang=lang)))
            self.entities.add((scheme, SKOS.prefLabel, Literal(text, lang=lang)))
        for entity in self.seeds.entities:
            self.declare_entity(entity)
        for document in self.seeds.documents:
            for claim in document.claims:
                for entity in claim.entities:
                    self.declare_entity(entity)
                for figure in claim.figures:
                    self.declare_figure(figure)
        for entity in self._all_entities():
            if entity.broader is not None:
                self._check_broader(entity)

    def _all_entities(self) -> Iterable[EntitySpec]:
        return (e for e in self.declared.values() if isinstance(e, EntitySpec))

    def _claim_id(self, spec: EntitySpec | FigureSpec) -> bool:
        previous = self.declared.get(spec.id)
        if previous is not None:
            self.problems.append(
                spec.problem(f"duplicate id {spec.id!r} (already declared at {previous.file}:{previous.line})")
            )
            return False
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", spec.id):
            self.problems.append(spec.problem(f"id {spec.id!r} must be lower-case letters, digits and hyphens"))
            return False
        self.declared[spec.id] = spec
        return True

    def declare_entity(self, entity: EntitySpec) -> None:
        if not self._claim_id(entity):
            return
        node = self.iris.entity(entity.id)
        types = []
        for name in entity.classes:
            cls = self.vocab.classes.get(name)
            if cls is None:
                self.problems.append(
                    entity.problem(
                        f"unknown class {name!r} for {entity.id!r}; known: {', '.join(sorted(self.vocab.classes))}"
                    )
                )
                continue
            types.append(cls)
            self.entities.add((node, RDF.type, cls))
        self.entity_types[node] = frozenset(types)
        self._labels(node, entity.labels, entity.alt_labels)
        for lang, text in entity.descriptions:
            self.entities.add((node, RDFS.comment, Literal(text, lang=lang)))
        if self.vocab.conforms(frozenset(types), (SKOS.Concept,)):
            self.entities.add((node, SKOS.inScheme, self.iris.themes_scheme))
            if entity.broader is None:
                self.entities.add((node, SKOS.topConceptOf, self.iris.themes_scheme))
                self.entities.add((self.iris.themes_scheme, SKOS.hasTopConcept, node))

    def _labels(
        self, node: URIRef, labels: Iterable[tuple[str, str]], alt_labels: Iterable[tuple[str, str]] = ()
    ) -> None:
        for lang, text in labels:
            self.entities.add((node, RDFS.label, Literal(text, lang=lang)))
            self.entities.add((node, SKOS.prefLabel, Literal(text, lang=lang)))
        for lang, text in alt_labels:
            self.entities.add((node, SKOS.altLabel, Literal(text, lang=lang)))

    def _check_broader(self, entity: EntitySpec) -> None:
        parent = self.declared.get(entity.broader or "")
        if parent is None:
            self.problems.append(entity.problem(f"broader {entity.broader!r} of {entity.id!r} is not a known id"))
            return
        self.entities.add((self.iris.entity(entity.id), SKOS.broader, self.iris.entity(parent.id)))

    def declare_figure(self, figure: FigureSpec) -> None:
        if not self._claim_id(figure):
            return
        node = self.iris.entity(figure.id)
        self.entities.add((node, RDF.type, self.mdk.Figure))
        self.entity_types[node] = frozenset({self.mdk.Figure})
        self._labels(node, figure.labels)
        for lang, text in figure.descriptions:
            self.entities.add((node, RDFS.comment, Literal(text, lang=lang)))

    # -- documents, claims and facts ------------------------------------------------------

    def map_documents(self) -> None:
        for document in self.seeds.documents:
            self.facts[document.id] = Graph()
            self.quote_spans[document.id] = []
            self.sentence_index[document.id] = SentenceIndex(document.id, document.text, self.iris, self.mdk)
            self._describe_document(document)
            for claim in document.claims:
                self._map_claim(document, claim)

    def _describe_document(self, document: DocumentSpec) -> None:
        doc = self.iris.document(document.id)
        graph = self.provenance
        graph.add((doc, RDF.type, self.mdk.SourceDocument))
        graph.add((doc, DCTERMS.title, Literal(document.title, lang=document.language)))
        graph.add((doc, DCTERMS.language, Literal(document.language, datatype=XSD.language)))
        graph.add((doc, DCTERMS.type, Literal(document.kind)))
        graph.add((doc, RDFS.label, Literal(document.title, lang=document.language)))
        graph.add((doc, DCTERMS.source, Literal(document.text_file.name)))
        for key, prop in (("publisher", "publishedBy"), ("interviewer", "interviewer"), ("interviewee", "interviewee")):
            value = getattr(document, key)
            if value is None:
                continue
            target = self._resolve_entity(value, document)
            if target is not None:
                graph.add((doc, self.mdk[prop], target))
        for speaker in sorted(set(document.speakers.values())):
            self._resolve_entity(speaker, document)

    def _resolve_entity(self, name: str, where: Located) -> URIRef | None:
        if name in self.declared:
            return self.iris.entity(name)
        if name in self.vocab.individuals:
            return self.vocab.individuals[name]
        self.problems.append(where.problem(f"unknown entity {name!r} (not declared in seeds/entities or a claim)"))
        return None

    def _quote_node(self, document: DocumentSpec, claim: ClaimSpec) -> tuple[URIRef | None, str | None]:
        """The quote's node (None when it cannot be placed) and its paragraph's speaker."""
        span, reason = find_quote(document.text, claim.quote, claim.paragraph, claim.occurrence)
        if span is None:
            self.problems.append(claim.problem(reason))
            return None, None
        self.quote_spans[document.id].append(span)
        quote = self.iris.quote(document.id, span.begin, span.end)
        paragraph = paragraph_of(document.text, span.begin)
        graph = self.provenance
        graph.add((quote, RDF.type, self.mdk.Quote))
        graph.add((quote, self.mdk.exactText, Literal(claim.quote)))
        graph.add((quote, self.mdk.beginIndex, Literal(span.begin, datatype=XSD.nonNegativeInteger)))
        graph.add((quote, self.mdk.endIndex, Literal(span.end, datatype=XSD.nonNegativeInteger)))
        graph.add((quote, self.mdk.paragraph, Literal(paragraph, datatype=XSD.positiveInteger)))
        graph.add((quote, PROV.wasQuotedFrom, self.iris.document(document.id)))
        speaker = document.speakers.get(paragraph)
        if speaker is not None and speaker in self.declared:
            graph.add((quote, self.mdk.speaker, self.iris.entity(speaker)))
        in_sentences = self.sentence_index[document.id].link(graph, quote, span)
        question = question_only_reason(in_sentences)
        if question is not None:
            self.problems.append(claim.problem(question))
            return None, speaker
        return quote, speaker

    def _map_claim(self, document: DocumentSpec, claim: ClaimSpec) -> None:
        quote, speaker = self._quote_node(document, claim)
        claim_voice = voice_of(speaker, claim.according_to, claim.evidence)
        graph = self.facts[document.id]
        stated: list[tuple[tuple[URIRef, URIRef, object], Voice, str | None, Located]] = []
        for entity in claim.entities:
            node = self.iris.entity(entity.id)
            stated.extend(
                ((node, RDF.type, t), claim_voice, None, claim) for t in sorted(self.entity_types.get(node, ()))
            )
        for figure in claim.figures:
            stated.extend((t, claim_voice, None, claim) for t in self._figure_triples(figure))
        for fact in claim.facts:
            voice = voice_of(speaker, claim.according_to, claim.evidence, fact.according_to, fact.evidence)
            stated.extend((t, voice, fact.field, fact) for t in self._fact_triples(fact))
        for triple, voice, field_name, where in stated:
            if triple[1] != RDF.type:
                graph.add(triple)  # type: ignore[arg-type]
            if quote is not None:
                node = self._reify(document.id, triple, quote)
                self._qualify(node, voice, field_name, claim, where)

    def _qualify(self, node: URIRef, voice: Voice, field_name: str | None, claim: ClaimSpec, where: Located) -> None:
        """Attribution, evidential status and field of one reified fact (see ``graph.attribution``).

        A problem is reported at the line that wrote the qualifier: a claim's bad ``evidence`` once,
        at the claim, however many facts inherit it; a fact's own override at the fact.
        """
        checker = QualifierCheck(
            self.vocab,
            self.mdk,
            lambda name, qualifier: self._resolve_entity(name, voice.where(qualifier, claim, where)),
            self.entity_types,
        )
        triples, reasons = checker.triples(node, voice, field_name)
        self.problems.extend(voice.where(qualifier, claim, where).problem(reason) for qualifier, reason in reasons)
        self.provenance.addN((*triple, self.provenance) for triple in triples)

    def _figure_triples(self, figure: FigureSpec) -> list[tuple[URIRef, URIRef, object]]:
        node = self.iris.entity(figure.id)
        if figure.id not in self.declared or self.declared[figure.id] is not figure:
            return []
        triples: list[tuple[URIRef, URIRef, object]] = [
            (node, RDF.type, self.mdk.Figure),
            (node, self.mdk.value, Literal(figure.value, datatype=XSD.decimal)),
        ]
        unit = self.vocab.individuals.get(figure.unit)
        if unit is None or self.mdk.Unit not in self.vocab.individual_types.get(unit, ()):
            units = sorted(
                n for n, i in self.vocab.individuals.items() if self.mdk.Unit in self.vocab.individual_types.get(i, ())
            )
            self.problems.append(figure.problem(f"unknown unit {figure.unit!r}; known: {', '.join(units)}"))
        else:
            triples.append((node, self.mdk.unit, unit))
        if figure.year is not None:
            if is_year(figure.year):
                triples.append((node, self.mdk.referenceYear, self._time(TypedValue(figure.year, "gYear"))))
            else:
                self.problems.append(figure.problem(f"year {figure.year!r} is not a year like 2024"))
        if figure.approximate is not None:
            triples.append((node, self.mdk.isApproximate, Literal(figure.approximate)))
        if figure.stated_as is not None:
            triples.append((node, self.mdk.statedAs, Literal(figure.stated_as, lang="fr")))
        return triples

    def _fact_triples(self, fact: FactSpec) -> list[tuple[URIRef, URIRef, object]]:
        subject = self._resolve_entity(fact.subject, fact)
        if fact.property in self.vocab.object_properties:
            prop = self.vocab.object_properties[fact.property]
            objects: list[URIRef | Literal | None]
            if self.mdk.TimeValue in self.vocab.ranges.get(prop, ()):
                objects = [self._object_time(fact, prop)]
            else:
                objects = [self._object_entity(fact, prop)]
        elif fact.property in self.vocab.datatype_properties:
            prop = self.vocab.datatype_properties[fact.property]
            objects = [*self._object_literals(fact, prop)]
        else:
            known = sorted({*self.vocab.object_properties, *self.vocab.datatype_properties})
            self.problems.append(fact.problem(f"unknown property {fact.property!r}; known: {', '.join(known)}"))
            return []
        if subject is None or None in objects:
            return []
        domain = self.vocab.domains.get(prop, ())
        if not self.vocab.conforms(self.entity_types.get(subject, frozenset()), domain):
            self.problems.append(
                fact.problem(f"{fact.subject!r} is not in the domain of {fact.property} ({_names(domain, self.vocab)})")
            )
            return []
        return [(subject, prop, obj) for obj in objects]

    def _object_time(self, fact: FactSpec, prop: URIRef) -> URIRef | None:
        """A date property's value: a time value resource, described once in the entities graph."""
        reason = date_reason(fact.property, fact.object)
        if reason is not None:
            self.problems.append(fact.problem(reason))
            return None
        assert isinstance(fact.object, TypedValue)
        return self._time(fact.object)

    def _time(self, value: TypedValue) -> URIRef:
        node, description = time_value(self.iris, self.mdk, value.datatype, value.lexical)
        for triple in description:
            self.entities.add(triple)  # type: ignore[arg-type]
        return node

    def _object_entity(self, fact: FactSpec, prop: URIRef) -> URIRef | None:
        if not isinstance(fact.object, EntityRef):
            self.problems.append(
                fact.problem(f"{fact.property} links to an entity: give an entity id, not {describe(fact.object)}")
            )
            return None
        target = self._resolve_entity(fact.object.name, fact)
        if target is None:
            return None
        allowed = self.vocab.ranges.get(prop, ())
        if not self.vocab.conforms(self.entity_types.get(target, frozenset()), allowed):
            self.problems.append(
                fact.problem(
                    f"{fact.object.name!r} is not in the range of {fact.property} ({_names(allowed, self.vocab)})"
                )
            )
            return None
        return target

    def _object_literals(self, fact: FactSpec, prop: URIRef) -> list[Literal | None]:
        found, reason = literals(fact.property, fact.object, self.vocab.ranges.get(prop, ()))
        if reason is not None:
            self.problems.append(fact.problem(reason))
            return [None]
        return [*found]

    def _reify(self, doc_id: str, triple: tuple[URIRef, URIRef, object], quote: URIRef) -> URIRef:
        key = (doc_id, *triple)
        node = self.fact_nodes.get(key)
        if node is None:
            node = self.iris.fact(doc_id, triple)
            self.fact_nodes[key] = node
            subject, predicate, obj = triple
            self.provenance.add((node, RDF.type, self.mdk.Fact))
            self.provenance.add((node, RDF.subject, subject))
            self.provenance.add((node, RDF.predicate, predicate))
            self.provenance.add((node, RDF.object, obj))  # type: ignore[arg-type]
            self.provenance.add((node, PROV.wasDerivedFrom, self.iris.document(doc_id)))
        self.provenance.add((node, self.mdk.supportedBy, quote))
        self.provenance.add((quote, self.mdk.supports, node))
        return node


def _names(classes: tuple[URIRef, ...], vocab: Vocabulary) -> str:
    return " or ".join(str(c).replace(vocab.namespace, "") for c in classes) or "anything"


def map_seeds(seeds: Seeds, vocab: Vocabulary, iris: Iris) -> MappedGraphs:
    """Entities, facts and provenance for all documents; raises BuildError listing every problem."""
    mapper = _Mapper(seeds, vocab, iris)
    mapper.declare_all()
    mapper.map_documents()
    if mapper.problems:
        raise BuildError(sorted(set(mapper.problems), key=lambda p: (str(p.file), p.line or 0, p.reason)))
    return MappedGraphs(
        entities=mapper.entities,
        facts=mapper.facts,
        provenance=mapper.provenance,
        fact_count=len(mapper.fact_nodes),
        quote_spans=mapper.quote_spans,
    )
