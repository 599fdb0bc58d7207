"""Figures about a build: sizes, entities per class, facts, and coverage of the sources.

Coverage is the share of a document's sentences that overlap at least one quote. A
sentence that states no fact (a question, a rhetorical aside) can be declared in the
document's ``not_factual`` list with a reason; it then leaves the denominator, and is
listed with that reason. Every other uncovered sentence is listed too.
"""

from __future__ import annotations

from collections import Counter

from rdflib import RDF, Dataset, URIRef

from core.errors import Problem
from graph.mapping import MappedGraphs
from graph.records import DocumentSpec, Seeds
from graph.text import Sentence, Span, sentences
from graph.vocabulary import Vocabulary


def compute_stats(
    dataset: Dataset, roles: dict[URIRef, str], seeds: Seeds, mapped: MappedGraphs, vocab: Vocabulary
) -> dict[str, object]:
    per_graph = {str(g): {"role": role, "triples": len(dataset.graph(g))} for g, role in sorted(roles.items())}
    classes: Counter[str] = Counter()
    for _s, cls in mapped.entities.subject_objects(RDF.type):
        name = str(cls)
        if name.startswith(vocab.namespace):
            classes[name[len(vocab.namespace) :]] += 1
    mdk_fact = URIRef(vocab.namespace + "Fact")
    mdk_quote = URIRef(vocab.namespace + "Quote")
    return {
        "triples": sum(len(dataset.graph(g)) for g in roles),
        "graphs": per_graph,
        "entities_per_class": dict(sorted(classes.items())),
        "entities": len(set(mapped.entities.subjects(RDF.type, None))),
        "facts": sum(1 for _ in mapped.provenance.subjects(RDF.type, mdk_fact)),
        "quotes": sum(1 for _ in mapped.provenance.subjects(RDF.type, mdk_quote)),
        "coverage": {d.id: document_coverage(d, mapped.quote_spans.get(d.id, [])) for d in seeds.documents},
    }


def unknown_not_factual(document: DocumentSpec) -> list[Problem]:
    """Entries of ``not_factual`` that match no sentence of the text (a typo would hide nothing)."""
    known = {sentence.text for sentence in sentences(document.text)}
    return [
        item.problem(f"not_factual sentence is not a sentence of {document.text_file.name}: {item.sentence!r}")
        for item in document.not_factual
        if item.sentence.strip() not in known
    ]


def document_coverage(document: DocumentSpec, spans: list[Span]) -> dict[str, object]:
    declared = {item.sentence.strip(): item.reason for item in document.not_factual}
    covered, not_factual, uncovered = 0, [], []
    for sentence in sentences(document.text):
        if any(span.begin < sentence.end and sentence.begin < span.end for span in spans):
            covered += 1
        elif sentence.text in declared:
            not_factual.append({**_where(sentence), "reason": declared[sentence.text]})
        else:
            uncovered.append(_where(sentence))
    factual = covered + len(uncovered)
    return {
        "sentences": covered + len(not_factual) + len(uncovered),
        "covered": covered,
        "factual_sentences": factual,
        "coverage_of_factual": round(covered / factual, 4) if factual else 1.0,
        "not_factual": not_factual,
        "uncovered": uncovered,
    }


def _where(sentence: Sentence) -> dict[str, object]:
    """A sentence as the stats list it: its paragraph, words and code-point offsets (as the graph's spans)."""
    return {"paragraph": sentence.paragraph, "sentence": sentence.text, "begin": sentence.begin, "end": sentence.end}
