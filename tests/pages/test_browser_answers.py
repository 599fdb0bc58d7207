"""What a browser gets where tools get data: results tables at /sparql and /queries/NAME, the editor at
/sparql, /queries as forms; and what tools keep getting from the same URLs."""

from __future__ import annotations

import csv
import html
import io
import re
import urllib.parse

from tests.pages.site_support import RunningServer

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
TOOLS = {  # the Accept headers SPARQL clients send (see the field notes)
    "sparqlwrapper": "application/sparql-results+json,application/json,text/javascript,application/javascript",
    "yasgui": "application/sparql-results+json,*/*;q=0.9",
    "comunica": "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7",
    "curl": "*/*",
}
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city ?name WHERE { ?city a <https://w3id.org/morocco-digital-kg/ontology/City> ; rdfs:label ?name
  FILTER(LANG(?name) = "en") } ORDER BY ?name"""


def _get(server: RunningServer, path: str, accept: str = BROWSER, **headers: str):  # type: ignore[no-untyped-def]
    return server.request("GET", path, headers={"Accept": accept, **headers})


def _sparql(query: str) -> str:
    return "/sparql?" + urllib.parse.urlencode({"query": query})


def test_a_browser_running_a_query_gets_a_table_with_labels_links_and_downloads(pages_server: RunningServer) -> None:
    answer = _get(pages_server, _sparql(LABELS))
    assert answer.status == 200 and answer.header("content-type") == "text/html; charset=utf-8"
    page = answer.text
    assert 'id="results-table"' in page
    assert '<a href="/id/rabat" class="term place"' in page  # an IRI as its label, linked to its page
    assert "https://w3id.org/morocco-digital-kg/id/rabat" in page  # and the IRI beside it
    links = dict(re.findall(r'<a href="([^"]+)" class="download" download>(\w+)</a>', page))
    assert sorted(links.values()) == ["CSV", "JSON", "TSV", "XML"]
    csv_link = html.unescape(next(href for href, name in links.items() if name == "CSV"))
    rows = list(csv.DictReader(io.StringIO(_get(pages_server, csv_link).text)))
    assert "Rabat" in {row["name"] for row in rows}
    assert page.count("<tr>") == len(rows) + 1  # every row shown, plus the header


def test_tools_keep_getting_sparql_results(pages_server: RunningServer) -> None:
    for tool, accept in TOOLS.items():
        answer = _get(pages_server, _sparql(LABELS), accept)
        assert answer.header("content-type") == "application/sparql-results+json; charset=utf-8", tool
    xml = _get(pages_server, _sparql(LABELS), "application/sparql-results+xml")
    assert xml.header("content-type").startswith("application/sparql-results+xml")
    named = _get(pages_server, _sparql(LABELS) + "&format=xml")  # a browser naming a format gets that format
    assert named.header("content-type").startswith("application/sparql-results+xml")
    description = _get(pages_server, "/sparql", "text/turtle")
    assert description.header("content-type").startswith("text/turtle")


def test_graphs_errors_and_the_editor_for_browsers(pages_server: RunningServer) -> None:
    graph = _get(pages_server, _sparql("DESCRIBE <https://w3id.org/morocco-digital-kg/id/rabat>"))
    assert graph.status == 200 and 'id="results-table"' in graph.text
    assert ">Turtle</a>" in graph.text and ">JSON-LD</a>" in graph.text
    broken = _get(pages_server, _sparql("SELECT ?x WHERE { ?x"))
    assert broken.status == 400 and 'id="query-error"' in broken.text and "malformed query" in broken.text
    assert "SELECT ?x WHERE { ?x" in broken.text  # the query is there to fix
    asked = _get(pages_server, _sparql("ASK { ?s ?p ?o }"))
    assert 'id="results-boolean"' in asked.text
    editor = _get(pages_server, "/sparql")
    assert editor.status == 200 and 'id="yasgui"' in editor.text and 'class="plain-query"' in editor.text


def test_the_catalogue_is_a_page_of_forms_in_both_languages(pages_server: RunningServer) -> None:
    catalogue = pages_server.request("GET", "/queries", headers={"Accept": "application/json"}).json()
    names = [entry["name"] for entry in catalogue["queries"]]  # type: ignore[index]
    page = _get(pages_server, "/queries").text
    assert page.count('class="saved-form"') == len(names)
    for name in names:
        assert f'action="/queries/{name}"' in page
    assert '<option value="https://w3id.org/morocco-digital-kg/ontology/StatusPlanned">planned</option>' in page
    assert 'class="entity-field"' in page and "queries.js" in page
    french = _get(pages_server, "/queries", Cookie="lang=fr").text
    assert "<h1>Requêtes enregistrées</h1>" in french and '<html lang="fr">' in french
    assert ">prévu</option>" in french or ">planifié</option>" in french
    assert '<option value="fr" selected>' in french  # labels follow the interface's language


def test_a_saved_query_from_its_form_shows_a_table_and_errors_in_the_form(pages_server: RunningServer) -> None:
    rabat = _get(pages_server, "/queries/jazari-institutes?city=Rabat")  # a name, not an IRI
    assert rabat.status == 200 and 'id="results-table"' in rabat.text
    assert 'href="/id/jazari-institute-rabat"' in rabat.text and "jazari-institute-dakhla" not in rabat.text
    assert 'href="/queries/jazari-institutes?city=https' in rabat.text and "format=csv" in rabat.text
    french = _get(pages_server, "/queries/jazari-institutes?city=Rabat", Cookie="lang=fr").text
    assert "institut Jazari de Rabat" in french  # saved queries take the interface's language
    wrong = _get(pages_server, "/queries/jazari-institutes?city=Atlantis")
    assert wrong.status == 400 and 'class="field-error"' in wrong.text and "parameter &#39;city&#39;" in wrong.text
    assert 'aria-invalid="true"' in wrong.text and "<form" in wrong.text
    tool = pages_server.request("GET", "/queries/jazari-institutes?city=Rabat", headers={"Accept": "text/csv"})
    assert tool.status == 400 and tool.header("content-type").startswith("text/plain")  # the API is unchanged
