"""The dump a user downloads loads in owlready2 and is consistent under HermiT, as it is.

Protégé and owlready2 read RDF/XML and N-Triples; both files are fetched over HTTP from the
running server, exactly as served, and handed to owlready2 without removing anything. The same
HermiT run fails on a file holding one ``xsd:gYear`` literal, which is what the dump held before
dates became ``mdk:TimeValue`` resources, so the test can fail.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

import owlready2
import pytest
import rdflib
from rdflib.compare import isomorphic

from tests.pages.site_support import BASE, RunningServer

MDK = BASE + "ontology/"


def _download(server: RunningServer, name: str, target: Path) -> Path:
    answer = server.request("GET", f"/dumps/{name}")
    assert answer.status == 200, answer.text[:300]
    path = target / name
    path.write_bytes(answer.body)
    return path


def _hermit(path: Path) -> None:
    world = owlready2.World()
    world.get_ontology(path.resolve().as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)


@pytest.mark.parametrize("name", ["kg.rdf", "kg.nt"])
def test_the_downloaded_dump_is_consistent_under_hermit(pages_server: RunningServer, tmp_path: Path, name: str) -> None:
    path = _download(pages_server, name, tmp_path)
    _hermit(path)  # raises OwlReadyJavaError (UnsupportedDatatypeException) or OwlReadyInconsistentOntologyError


def test_the_triple_dump_holds_every_named_graph(pages_server: RunningServer, tmp_path: Path) -> None:
    """The file HermiT checks is the union of every named graph the server holds, nothing left out."""
    quads = rdflib.Dataset()
    quads.parse(_download(pages_server, "kg.nq", tmp_path), format="nquads")
    union = rdflib.Graph()
    for s, p, o, g in quads.quads():
        if g is not None:
            union.add((s, p, o))
    triples = rdflib.Graph().parse(_download(pages_server, "kg.nt", tmp_path), format="nt")
    assert len(triples) == len(union) and isomorphic(triples, union)
    served = json.loads(pages_server.request("GET", "/dumps/").body)
    assert {d["url"].rsplit("/", 1)[-1] for d in served["dumps"]} >= {"kg.rdf", "kg.nt", "kg.nq"}


def test_hermit_refuses_a_date_typed_as_xsd_gyear(pages_server: RunningServer, tmp_path: Path) -> None:
    """What a user got before: the same dump plus one gYear literal is refused by HermiT."""
    path = _download(pages_server, "kg.nt", tmp_path)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f'<{BASE}id/world-cup-2030> <{MDK}claim> "2030"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n')
    with pytest.raises(owlready2.OwlReadyJavaError, match="UnsupportedDatatypeException"):
        _hermit(path)


def test_dates_compare_in_sparql_through_their_bounds(pages_server: RunningServer) -> None:
    """The time values keep their precision and still sort and filter as xsd:dateTime."""
    query = f"""
    PREFIX mdk: <{MDK}>
    PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    SELECT ?subject ?when ?precision WHERE {{
      ?subject mdk:date ?time . ?time rdfs:label ?when ; mdk:precision ?precision ; mdk:earliest ?from .
      FILTER(?from >= "2024-01-01T00:00:00"^^xsd:dateTime && ?from < "2025-01-01T00:00:00"^^xsd:dateTime)
    }}"""
    query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query
    answer = pages_server.request(
        "GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": "application/sparql-results+json"}
    )
    assert answer.status == 200, answer.text[:300]
    rows = {
        (b["subject"]["value"].rsplit("/", 1)[-1], b["when"]["value"], b["precision"]["value"].rsplit("/", 1)[-1])
        for b in json.loads(answer.body)["results"]["bindings"]
    }
    assert ("seghrouchni-appointment", "2024-10", "PrecisionMonth") in rows
    assert all(when.startswith("2024") for _, when, _ in rows)
