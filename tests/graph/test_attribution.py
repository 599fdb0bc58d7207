"""Who says each fact and how firmly: attribution, evidential status, the question rule, whole sentences."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rdflib import RDF, Dataset, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from core.errors import BuildError
from core.iris import DEFAULT_BASE_IRI
from core.settings import REPO_ROOT, Settings
from graph.attribution import question_only_reason, voice_of
from graph.build import BuildResult, build
from graph.checks import run_checks
from graph.text import Sentence

MDK = Namespace(DEFAULT_BASE_IRI + "ontology/")
ID = Namespace(DEFAULT_BASE_IRI + "id/")
PROVENANCE = URIRef(DEFAULT_BASE_IRI + "graph/provenance")
FACTS_DIR = Path("documents/lexpress-seghrouchni/facts")
DOC_TEXT = REPO_ROOT / "seeds/documents/lexpress-seghrouchni/interview-lexpress-seghrouchni.txt"

if TYPE_CHECKING:
    from tests.conftest import RealBuild


def _settings(seeds: Path, build_dir: Path) -> Settings:
    return Settings.from_env(seeds_dir=seeds, build_dir=build_dir, docs=False, reasoner=False)


def _add_claims(seeds: Path, body: str) -> Path:
    path = seeds / FACTS_DIR / "p98-test.yaml"
    path.write_text(body, encoding="utf-8")
    return path


QUESTION = """paragraph: 14
claims:
  - quote: "La Chine devient-elle un partenaire technologique de plus en plus important pour le Maroc ?"
    facts:
      - [china, worksWith, morocco]
"""


def test_a_claim_resting_only_on_a_question_is_refused_with_file_and_line(
    seeds_copy: Path, tmp_path: Path, real_build: RealBuild
) -> None:
    shutil.copytree(real_build.directory, tmp_path / "build")  # the last good build, which must stay
    settings = _settings(seeds_copy, tmp_path / "build")
    before = hashlib.sha256((tmp_path / "build" / "kg.nq").read_bytes()).hexdigest()
    _add_claims(seeds_copy, QUESTION)
    with pytest.raises(BuildError) as caught:
        build(settings)
    message = str(caught.value)
    assert "p98-test.yaml:3: the quote lies only in an interrogative sentence" in message, message
    assert "a question is not evidence" in message
    assert hashlib.sha256((tmp_path / "build" / "kg.nq").read_bytes()).hexdigest() == before


def test_a_question_quoted_with_its_answer_may_stand() -> None:
    question = Sentence(10, 0, 10, "La question est : comment connecter les chercheurs au marché ?")
    answer = Sentence(10, 11, 20, "Ce n’est pas évident ; il faut compléter tous les maillons de la chaîne de valeur.")
    assert question_only_reason([question]) is not None
    assert question_only_reason([question, answer]) is None
    assert question_only_reason([Sentence(3, 0, 5, "Et que va changer l'IA à ce niveau ? »")]) is not None


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("    evidence: EvidenceSure\n", "unknown evidence 'EvidenceSure'; known: EvidenceExpectation"),
        ("    according_to: energy-transition\n", "according_to 'energy-transition' is not an actor"),
        ("    according_to: nobody-known\n", "unknown entity 'nobody-known'"),
    ],
)
def test_a_wrong_voice_fails_the_build_once_at_the_claim(
    seeds_copy: Path, tmp_path: Path, claim: str, expected: str
) -> None:
    """The claim's qualifier is wrong once, so it is reported once, at the claim, not at each fact."""
    _add_claims(
        seeds_copy,
        'paragraph: 11\nclaims:\n  - quote: "A Dakhla, un institut autour de l’IA"\n'
        + claim
        + "    facts:\n      - [jazari-institute-dakhla, locatedIn, dakhla]\n"
        + "      - [jazari-institute-dakhla, specialisedIn, energy-transition]\n",
    )
    with pytest.raises(BuildError) as caught:
        build(_settings(seeds_copy, tmp_path / "b"))
    found = [(p.line, p.reason) for p in caught.value.problems if p.file.name == "p98-test.yaml"]
    assert len(found) == 1 and found[0][0] == 3 and found[0][1].startswith(expected), found


def test_a_facts_own_evidence_is_reported_at_the_fact(seeds_copy: Path, tmp_path: Path) -> None:
    _add_claims(
        seeds_copy,
        'paragraph: 11\nclaims:\n  - quote: "A Dakhla, un institut autour de l’IA"\n    facts:\n'
        "      - [jazari-institute-dakhla, locatedIn, dakhla]\n"
        "      - [jazari-institute-dakhla, specialisedIn, energy-transition, {evidence: EvidenceSure}]\n",
    )
    with pytest.raises(BuildError, match=r"p98-test\.yaml:6: unknown evidence 'EvidenceSure'"):
        build(_settings(seeds_copy, tmp_path / "b"))


def test_fact_qualifiers_are_checked(seeds_copy: Path, tmp_path: Path) -> None:
    claims = 'paragraph: 11\nclaims:\n  - quote: "A Dakhla, un institut autour de l’IA"\n    facts:\n'
    _add_claims(seeds_copy, claims + "      - [jazari-institute-dakhla, locatedIn, dakhla, {certainty: high}]\n")
    with pytest.raises(BuildError, match=r"p98-test\.yaml:5: unknown fact qualifier\(s\) certainty"):
        build(_settings(seeds_copy, tmp_path / "b"))
    _add_claims(seeds_copy, claims + "      - [jazari-institute-dakhla, locatedIn, dakhla, {field: dakhla}]\n")
    with pytest.raises(BuildError, match=r"p98-test\.yaml:5: field 'dakhla' is not a theme"):
        build(_settings(seeds_copy, tmp_path / "b"))


def test_the_voice_of_a_fact() -> None:
    assert voice_of("lexpress", None, None) == voice_of("lexpress", None, "EvidenceStated")
    reported = voice_of("lexpress", None, None, fact_according_to="french-mathematics-lecturer")
    assert (reported.speaker, reported.evidence) == ("french-mathematics-lecturer", "EvidenceReported")
    hedged = voice_of("amal-el-fallah-seghrouchni", "nature-magazine", "EvidenceHedged", fact_evidence="EvidenceStated")
    assert (hedged.speaker, hedged.evidence) == ("nature-magazine", "EvidenceStated")


def _facts(dataset: Dataset) -> set[URIRef]:
    return set(dataset.graph(PROVENANCE).subjects(RDF.type, MDK.Fact))  # type: ignore[arg-type]


def test_every_fact_is_attributed_to_a_speaker_of_its_quotes_or_a_reported_third_party(dataset: Dataset) -> None:
    provenance = dataset.graph(PROVENANCE)
    facts = _facts(dataset)
    assert len(facts) > 700
    for fact in facts:
        agents = set(provenance.objects(fact, PROV.wasAttributedTo))
        statuses = set(provenance.objects(fact, MDK.evidentialStatus))
        speakers = {s for q in provenance.objects(fact, MDK.supportedBy) for s in provenance.objects(q, MDK.speaker)}
        assert agents and statuses, fact
        assert agents <= speakers or MDK.EvidenceReported in statuses, (fact, agents, speakers)


def _fact_about(dataset: Dataset, subject: str, prop: str) -> list[URIRef]:
    provenance = dataset.graph(PROVENANCE)
    return [f for f in provenance.subjects(RDF.subject, ID[subject]) if (f, RDF.predicate, MDK[prop]) in provenance]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("subject", "prop", "agent", "status"),
    [
        ("french-mathematics-lecturer", "claim", "french-mathematics-lecturer", "EvidenceReported"),
        ("nature-2020-study", "finding", "nature-magazine", "EvidenceReported"),
        ("nature-2020-study", "publishedBy", "amal-el-fallah-seghrouchni", "EvidenceStated"),
        ("woman-of-the-year-2021", "awardedBy", "lexpress", "EvidenceStated"),
        ("directorate-general-of-ai", "worksOn", "amal-el-fallah-seghrouchni", "EvidenceIntention"),
        ("african-rdi-commission", "comparedTo", "amal-el-fallah-seghrouchni", "EvidenceHedged"),
        ("artificial-intelligence", "convergesWith", "amal-el-fallah-seghrouchni", "EvidenceExpectation"),
    ],
)
def test_attribution_and_status_follow_the_text(
    dataset: Dataset, subject: str, prop: str, agent: str, status: str
) -> None:
    provenance = dataset.graph(PROVENANCE)
    facts = _fact_about(dataset, subject, prop)
    assert facts, f"no fact {subject} {prop}"
    for fact in facts:
        assert set(provenance.objects(fact, PROV.wasAttributedTo)) == {ID[agent]}, fact
        assert set(provenance.objects(fact, MDK.evidentialStatus)) == {MDK[status]}, fact


def test_every_quote_lies_in_whole_sentences_of_its_source(built: tuple[BuildResult, dict, Settings]) -> None:
    text = DOC_TEXT.read_text(encoding="utf-8")
    provenance = built[0].dataset.graph(PROVENANCE)
    quotes = set(provenance.subjects(RDF.type, MDK.Quote))
    assert len(quotes) > 100
    for quote in quotes:
        q_begin = int(provenance.value(quote, MDK.beginIndex))  # type: ignore[arg-type]
        q_end = int(provenance.value(quote, MDK.endIndex))  # type: ignore[arg-type]
        sentences = list(provenance.objects(quote, MDK.inSentence))
        assert sentences, quote
        begins = [int(provenance.value(s, MDK.beginIndex)) for s in sentences]  # type: ignore[arg-type]
        ends = [int(provenance.value(s, MDK.endIndex)) for s in sentences]  # type: ignore[arg-type]
        assert min(begins) <= q_begin and q_end <= max(ends), quote
        for sentence, begin, end in zip(sentences, begins, ends, strict=True):
            assert text[begin:end] == str(provenance.value(sentence, MDK.exactText)), sentence
            assert (sentence, RDF.type, MDK.Sentence) in provenance


def _broken_copy(dataset: Dataset) -> Dataset:
    copy = Dataset()
    for s, p, o, g in dataset.quads():
        copy.graph(g).add((s, p, o))  # type: ignore[arg-type]
    return copy


def test_the_attribution_rule_rejects_a_fact_given_to_someone_who_did_not_say_it(dataset: Dataset) -> None:
    copy = _broken_copy(dataset)
    fact = _fact_about(dataset, "woman-of-the-year-2021", "awardedBy")[0]
    copy.graph(PROVENANCE).add((fact, PROV.wasAttributedTo, ID["walid-regragui"]))
    with pytest.raises(BuildError, match=r"fact-attribution-violation\.rq.*awardedBy"):
        run_checks(copy, REPO_ROOT / "queries" / "checks", DEFAULT_BASE_IRI)


def test_the_question_rule_rejects_a_fact_whose_quotes_are_all_questions(dataset: Dataset) -> None:
    copy = _broken_copy(dataset)
    provenance = copy.graph(PROVENANCE)
    fact = _fact_about(dataset, "woman-of-the-year-2021", "awardedBy")[0]
    quote = provenance.value(fact, MDK.supportedBy)
    for sentence in list(provenance.objects(quote, MDK.inSentence)):
        provenance.set((sentence, MDK.exactText, Literal("Qui décerne ce titre ?")))
    with pytest.raises(BuildError, match=r"question-only-fact-violation\.rq.*awardedBy"):
        run_checks(copy, REPO_ROOT / "queries" / "checks", DEFAULT_BASE_IRI)


def test_the_span_rule_rejects_a_quote_linked_to_a_sentence_it_is_not_in(dataset: Dataset) -> None:
    copy = _broken_copy(dataset)
    provenance = copy.graph(PROVENANCE)
    award = provenance.value(_fact_about(dataset, "woman-of-the-year-2021", "awardedBy")[0], MDK.supportedBy)
    nature = provenance.value(_fact_about(dataset, "nature-2020-study", "finding")[0], MDK.supportedBy)
    provenance.add((award, MDK.inSentence, provenance.value(nature, MDK.inSentence)))
    with pytest.raises(BuildError, match=r"quote-outside-sentence-violation\.rq"):
        run_checks(copy, REPO_ROOT / "queries" / "checks", DEFAULT_BASE_IRI)
