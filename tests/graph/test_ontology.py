"""The ontology is well-formed OWL 2, documented in both languages, and consistent under HermiT."""

from __future__ import annotations

import tempfile
from pathlib import Path

import owlready2
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, VANN

from core.settings import REPO_ROOT
from graph.vocabulary import load_ontology

MDK = "https://w3id.org/morocco-digital-kg/ontology/"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology(REPO_ROOT / "ontology")


def own_terms(ontology: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return sorted(
        {t for k in kinds for t in ontology.subjects(RDF.type, k) if isinstance(t, URIRef) and str(t).startswith(MDK)}
    )


def test_header_has_the_metadata_pylode_renders(ontology: Graph) -> None:
    header = URIRef(MDK)
    assert (header, RDF.type, OWL.Ontology) in ontology
    for prop in (
        OWL.versionIRI,
        DCTERMS.title,
        DCTERMS.license,
        DCTERMS.creator,
        VANN.preferredNamespacePrefix,
        VANN.preferredNamespaceUri,
    ):
        assert ontology.value(header, prop) is not None, f"ontology header lacks {prop}"
    assert str(ontology.value(header, VANN.preferredNamespaceUri)) == MDK


def test_there_are_classes_for_every_kind_the_graph_needs(ontology: Graph) -> None:
    names = {str(t)[len(MDK) :] for t in own_terms(ontology)}
    needed = {
        "Person",
        "Organisation",
        "Company",
        "StartUp",
        "Ministry",
        "GovernmentBody",
        "University",
        "ResearchOrganisation",
        "InternationalOrganisation",
        "MediaOrganisation",
        "Country",
        "PoliticalEntity",
        "Institute",
        "Network",
        "Programme",
        "FundingProgramme",
        "LegalInstrument",
        "Bill",
        "Partnership",
        "Event",
        "Project",
        "Publication",
        "Place",
        "Continent",
        "Region",
        "City",
        "Theme",
        "Figure",
        "Quote",
        "Fact",
        "SourceDocument",
    }
    assert needed <= names, f"missing classes: {sorted(needed - names)}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_term_has_a_label_and_a_definition_in_each_language(ontology: Graph, lang: str) -> None:
    missing = []
    for term in own_terms(ontology):
        for prop in (RDFS.label, SKOS.definition):
            if not any(isinstance(v, Literal) and v.language == lang for v in ontology.objects(term, prop)):
                missing.append(f"{term} {prop}")
    assert not missing, "\n".join(missing)


def test_properties_have_domains_or_ranges_where_they_constrain(ontology: Graph) -> None:
    unconstrained = [
        p
        for p in own_terms(ontology)
        if (p, RDF.type, OWL.ObjectProperty) in ontology
        and ontology.value(p, RDFS.domain) is None
        and ontology.value(p, RDFS.range) is None
        and ontology.value(p, OWL.inverseOf) is None
        and (p, RDF.type, OWL.SymmetricProperty) not in ontology
        and (p, RDF.type, OWL.TransitiveProperty) not in ontology
    ]
    # generic relations are deliberately open; everything else states what it links
    assert {str(p)[len(MDK) :] for p in unconstrained} <= {"comparedTo", "mentions", "relatedTo", "uses", "enables"}


def test_aligned_to_standard_vocabularies(ontology: Graph) -> None:
    targets = {str(o) for s, o in ontology.subject_objects(RDFS.subClassOf) if str(s).startswith(MDK)}
    targets |= {str(o) for s, o in ontology.subject_objects(RDFS.subPropertyOf) if str(s).startswith(MDK)}
    for namespace in (
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/org#",
        "http://xmlns.com/foaf/0.1/",
        "https://schema.org/",
    ):
        assert any(t.startswith(namespace) for t in targets), f"no alignment to {namespace}"


def test_ontology_is_consistent_under_hermit(ontology: Graph) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mdk.nt"
        path.write_text(ontology.serialize(format="nt"), encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        assert list(world.inconsistent_classes()) == []


def test_hermit_detects_an_inconsistency_when_there_is_one(ontology: Graph) -> None:
    """The consistency test above can fail: a person who is also a theme breaks a disjointness axiom."""
    broken = Graph()
    broken += ontology
    someone = URIRef("https://w3id.org/morocco-digital-kg/id/test-someone")
    broken.add((someone, RDF.type, URIRef(MDK + "Person")))
    broken.add((someone, RDF.type, URIRef(MDK + "Theme")))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "broken.nt"
        path.write_text(broken.serialize(format="nt"), encoding="utf-8")
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load()
        with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
            owlready2.sync_reasoner_hermit(world, debug=0)
