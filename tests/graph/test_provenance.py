"""Every fact is tied to a verbatim quote at the right offsets, in both directions."""

from __future__ import annotations

from rdflib import RDF, Dataset, Literal, URIRef
from rdflib.namespace import PROV

from core.settings import Settings
from graph.build import BuildResult

BASE = "https://w3id.org/morocco-digital-kg/"
MDK = BASE + "ontology/"
PROVENANCE = URIRef(BASE + "graph/provenance")


def _mdk(name: str) -> URIRef:
    return URIRef(MDK + name)


def test_every_quote_is_the_exact_slice_of_its_source(built: tuple[BuildResult, dict, Settings]) -> None:
    result = built[0]
    texts = {URIRef(BASE + "doc/" + d.id): d.text for d in result.seeds.documents}
    provenance = result.dataset.graph(PROVENANCE)
    quotes = list(provenance.subjects(RDF.type, _mdk("Quote")))
    assert quotes
    for quote in quotes:
        text = texts[provenance.value(quote, PROV.wasQuotedFrom)]
        begin = int(provenance.value(quote, _mdk("beginIndex")))
        end = int(provenance.value(quote, _mdk("endIndex")))
        assert text[begin:end] == str(provenance.value(quote, _mdk("exactText"))), quote
        paragraph = int(provenance.value(quote, _mdk("paragraph")))
        assert text.count("\n", 0, begin) + 1 == paragraph


def test_every_fact_is_reified_and_every_reified_fact_is_in_the_graph(dataset: Dataset) -> None:
    provenance = dataset.graph(PROVENANCE)
    reified = set()
    for fact in provenance.subjects(RDF.type, _mdk("Fact")):
        triple = (
            provenance.value(fact, RDF.subject),
            provenance.value(fact, RDF.predicate),
            provenance.value(fact, RDF.object),
        )
        assert list(provenance.objects(fact, _mdk("supportedBy"))), f"{fact} has no quote"
        document = provenance.value(fact, PROV.wasDerivedFrom)
        doc_id = str(document).rsplit("/", 1)[-1]
        home = dataset.graph(URIRef(BASE + "entities" if triple[1] == RDF.type else BASE + "graph/facts/" + doc_id))
        if triple[1] == RDF.type:
            home = dataset.graph(URIRef(BASE + "graph/entities"))
        assert triple in home, f"{fact} reifies a triple that is not in {home.identifier}"
        reified.add((triple, doc_id))
    for graph in dataset.graphs():
        name = str(graph.identifier)
        if name.startswith(BASE + "graph/facts/"):
            doc_id = name.rsplit("/", 1)[-1]
            missing = [t for t in graph if (t, doc_id) not in reified]
            assert not missing, f"triples without provenance in {name}: {missing[:5]}"


def test_sparql_goes_from_a_fact_to_its_quote_and_back(dataset: Dataset) -> None:
    query = f"""
        PREFIX mdk: <{MDK}>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?fact ?quote ?text WHERE {{
          GRAPH <{PROVENANCE}> {{
            ?fact a mdk:Fact ; rdf:subject ?s ; mdk:supportedBy ?quote .
            ?quote mdk:exactText ?text ; mdk:supports ?fact .
          }}
        }}"""
    rows = list(dataset.query(query))
    assert rows
    assert all(isinstance(row.text, Literal) and str(row.text) for row in rows)


def test_quotes_name_their_speaker(dataset: Dataset) -> None:
    provenance = dataset.graph(PROVENANCE)
    minister = URIRef(BASE + "id/amal-el-fallah-seghrouchni")
    speakers = {provenance.value(q, _mdk("speaker")) for q in provenance.subjects(RDF.type, _mdk("Quote"))}
    assert minister in speakers
