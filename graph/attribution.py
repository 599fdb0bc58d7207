"""Who says a fact, how firmly, and in which whole sentence: the build's reading of each claim.

Three rules live here, apart from the mapping of triples, because they are about the words
rather than the ontology:

- **attribution**: a fact is attributed (``prov:wasAttributedTo``) to the speaker of its
  quote (the paragraph's speaker in ``document.yaml``), or to the third party whose words
  the speaker reports (``according_to`` on the claim or the fact);
- **evidential status**: how firmly it is said (``mdk:evidentialStatus``), stated as fact
  unless the claim or fact says otherwise; reported speech by default when ``according_to``
  names a third party;
- **no fact from a question**: a claim whose quote lies only in interrogative sentences is
  refused, because a question presupposes, it does not state.

Sentences are minted as spans (``mdk:Sentence``) once per document, so every quote links to
the whole sentences it lies in (``mdk:inSentence``).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from graph.iris import Iris
from graph.records import Located
from graph.text import Sentence, Span, sentences
from graph.vocabulary import Vocabulary

DEFAULT_EVIDENCE = "EvidenceStated"
REPORTED_EVIDENCE = "EvidenceReported"


@dataclass(frozen=True)
class Voice:
    """Who a fact is attributed to and how firmly it is stated (seed names, resolved later)."""

    speaker: str | None
    evidence: str
    speaker_from_fact: bool = False
    evidence_from_fact: bool = False

    def where(self, qualifier: str, claim: Located, fact: Located) -> Located:
        """The seed line that set ``qualifier``: an error in a claim's value is reported once, at the claim."""
        from_fact = {"speaker": self.speaker_from_fact, "evidence": self.evidence_from_fact}.get(qualifier, True)
        return fact if from_fact else claim


def voice_of(
    paragraph_speaker: str | None,
    claim_according_to: str | None,
    claim_evidence: str | None,
    fact_according_to: str | None = None,
    fact_evidence: str | None = None,
) -> Voice:
    """The fact's own qualifiers win over the claim's; a third party's words default to reported speech."""
    third_party = fact_according_to or claim_according_to
    evidence = fact_evidence or claim_evidence or (REPORTED_EVIDENCE if third_party else DEFAULT_EVIDENCE)
    return Voice(
        speaker=third_party or paragraph_speaker,
        evidence=evidence,
        speaker_from_fact=fact_according_to is not None,
        evidence_from_fact=fact_evidence is not None,
    )


@dataclass(frozen=True)
class QualifierCheck:
    """Turns a fact's voice and field into triples of its ``mdk:Fact``, checking every name."""

    vocab: Vocabulary
    mdk: Namespace
    resolve: Callable[[str, str], URIRef | None]
    entity_types: Mapping[URIRef, frozenset[URIRef]]

    def _is(self, node: URIRef, cls: URIRef) -> bool:
        return self.vocab.conforms(self.entity_types.get(node, frozenset()), (cls,))

    def triples(self, node: URIRef, voice: Voice, field_name: str | None) -> tuple[list[tuple], list[tuple[str, str]]]:
        """The qualifier triples, and each problem as (qualifier, reason): speaker, evidence or field."""
        triples: list[tuple] = []
        reasons: list[tuple[str, str]] = []
        if voice.speaker is None:
            no_speaker = "no speaker for this quote's paragraph (document.yaml speakers) and no according_to"
            reasons.append(("speaker", no_speaker))
        elif (agent := self.resolve(voice.speaker, "speaker")) is not None:
            if self._is(agent, self.mdk.Agent):
                triples.append((node, PROV.wasAttributedTo, agent))
            else:
                reasons.append(("speaker", f"according_to {voice.speaker!r} is not an actor (mdk:Agent)"))
        status = self.vocab.individuals.get(voice.evidence)
        if status is not None and self.mdk.EvidentialStatus in self.vocab.individual_types.get(status, ()):
            triples.append((node, self.mdk.evidentialStatus, status))
        else:
            known = sorted(
                name
                for name, individual in self.vocab.individuals.items()
                if self.mdk.EvidentialStatus in self.vocab.individual_types.get(individual, ())
            )
            reasons.append(("evidence", f"unknown evidence {voice.evidence!r}; known: {', '.join(known)}"))
        if field_name is not None and (target := self.resolve(field_name, "field")) is not None:
            if self._is(target, self.mdk.Theme):
                triples.append((node, self.mdk.inField, target))
            else:
                reasons.append(("field", f"field {field_name!r} is not a theme"))
        return triples, reasons


def is_interrogative(sentence: Sentence) -> bool:
    """A sentence that asks: it ends with a question mark (closing quotes and brackets aside)."""
    return sentence.text.rstrip(' "»”)').endswith("?")


class SentenceIndex:
    """The sentences of one document, in order, to find those a span overlaps."""

    def __init__(self, doc_id: str, text: str, iris: Iris, mdk: Namespace) -> None:
        self.doc_id = doc_id
        self.text = text
        self.iris = iris
        self.mdk = mdk
        self.sentences = sentences(text)
        self._begins = [s.begin for s in self.sentences]
        self.minted: set[URIRef] = set()

    def overlapping(self, span: Span) -> list[Sentence]:
        """Every sentence sharing at least one character with the span."""
        start = max(bisect_right(self._begins, span.begin) - 1, 0)
        found = []
        for sentence in self.sentences[start:]:
            if sentence.begin >= span.end:
                break
            if sentence.end > span.begin:
                found.append(sentence)
        return found

    def iri(self, sentence: Sentence) -> URIRef:
        return self.iris.sentence(self.doc_id, sentence.begin, sentence.end)

    def link(self, graph: Graph, quote: URIRef, span: Span) -> list[Sentence]:
        """Link the quote to its sentences, minting each sentence the first time; returns them."""
        found = self.overlapping(span)
        for sentence in found:
            node = self.iri(sentence)
            graph.add((quote, self.mdk.inSentence, node))
            if node not in self.minted:
                self.minted.add(node)
                self._describe(graph, node, sentence)
        return found

    def _describe(self, graph: Graph, node: URIRef, sentence: Sentence) -> None:
        graph.add((node, RDF.type, self.mdk.Sentence))
        graph.add((node, self.mdk.exactText, Literal(sentence.text)))
        graph.add((node, self.mdk.beginIndex, Literal(sentence.begin, datatype=XSD.nonNegativeInteger)))
        graph.add((node, self.mdk.endIndex, Literal(sentence.end, datatype=XSD.nonNegativeInteger)))
        graph.add((node, self.mdk.paragraph, Literal(sentence.paragraph, datatype=XSD.positiveInteger)))
        graph.add((node, PROV.wasQuotedFrom, self.iris.document(self.doc_id)))


def question_only_reason(found: list[Sentence]) -> str | None:
    """Why a claim is refused when every sentence of its quote is a question; ``None`` when it may stand."""
    if not found or not all(is_interrogative(s) for s in found):
        return None
    shown = " / ".join(s.text for s in found)
    return (
        f"the quote lies only in an interrogative sentence ({shown[:120]!r}): a question is not evidence; "
        "cite the answer that states the fact, or drop it"
    )
