"""The HTTP API around the saved queries: catalogue, OpenAPI, pagination, POST, errors; and the CLI."""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from core.catalogue import Catalogue
from kg.cli import main
from tests.queries.golden import ID, MDK
from tests.queries.http_support import call, rows
from tests.server.server_support import RunningServer


def test_catalogue_json(queries_server: RunningServer, catalogue: Catalogue) -> None:
    answer = queries_server.request("GET", "/queries", None, {"Accept": "application/json"})
    assert answer.status == 200
    assert answer.header("content-type") == "application/json; charset=utf-8"
    entries = {entry["name"]: entry for entry in answer.json()["queries"]}  # type: ignore[index]
    assert set(entries) == set(catalogue.queries)
    entity = entries["entity"]
    assert entity["summary"] and entity["tags"] and entity["pagination"] == 100
    assert entity["example"] == queries_server.url + "queries/entity?entity=" + urllib.parse.quote(
        ID + "venture-building-initiative", safe=""
    )
    parameter = next(p for p in entity["parameters"] if p["name"] == "entity")
    assert parameter["type"] == "iri" and parameter["required"] is True


def test_catalogue_html_for_browsers(queries_server: RunningServer) -> None:
    answer = queries_server.request("GET", "/queries", None, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert answer.status == 200 and answer.header("content-type") == "text/html; charset=utf-8"
    assert "jazari-institutes" in answer.text and "/openapi.json" in answer.text


def test_openapi_document_is_valid(queries_server: RunningServer, catalogue: Catalogue) -> None:
    answer = queries_server.request("GET", "/openapi.json")
    assert answer.status == 200
    document = answer.json()
    validate(document)  # type: ignore[arg-type]
    paths = document["paths"]  # type: ignore[index]
    assert {f"/queries/{name}" for name in catalogue.queries} <= set(paths)
    entity = paths["/queries/entity"]["get"]
    by_name = {p["name"]: p for p in entity["parameters"]}
    assert by_name["entity"]["schema"]["format"] == "uri" and by_name["entity"]["required"] is True
    assert by_name["page"]["schema"]["type"] == "integer"
    units = paths["/queries/figures"]["get"]["parameters"]
    unit = next(p for p in units if p["name"] == "unit")
    assert MDK + "UnitPercent" in unit["schema"]["enum"]
    paragraph = next(p for p in paths["/queries/paragraph"]["get"]["parameters"] if p["name"] == "paragraph")
    assert paragraph["schema"]["type"] == "integer" and paragraph["example"] == 11
    year = next(p for p in paths["/queries/horizons"]["get"]["parameters"] if p["name"] == "year")
    assert year["schema"]["pattern"] and year["example"] == "2032"


def _links(header: str) -> dict[str, str]:
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', header)}


def test_pagination_links_walk_every_row(queries_server: RunningServer) -> None:
    answer = call(queries_server, "themes", {"lang": "fr"})
    pages: list[list[dict[str, str]]] = []
    while True:
        assert answer.status == 200, answer.text
        assert answer.header("x-result-truncated") == "false"
        links = _links(answer.header("link"))
        assert "page=1" in links["first"] and "lang=fr" in links["first"]
        assert ("prev" in links) == bool(pages)
        pages.append(rows(answer))
        if "next" not in links:
            break
        assert len(pages[-1]) == 40 and f"page={len(pages) + 1}" in links["next"]
        answer = queries_server.request("GET", links["next"].removeprefix(queries_server.url.rstrip("/")))
    assert len(pages) >= 3
    themes = [row["theme"] for page in pages for row in page]
    assert len(themes) == len(set(themes))
    total = queries_server.query(f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t a <{MDK}Theme> }}")
    assert len(themes) == int(total.json()["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]


@pytest.mark.parametrize("page", ["0", "-1", "x", "1e3", "9999999"])
def test_bad_page_is_400(queries_server: RunningServer, page: str) -> None:
    answer = call(queries_server, "themes", {"page": page})
    assert answer.status == 400 and "parameter 'page'" in answer.text


def test_post_form_for_long_values(queries_server: RunningServer) -> None:
    body = urllib.parse.urlencode({"entity": ID + "kenya"})
    answer = queries_server.request(
        "POST", "/queries/entity", body, {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"}
    )
    assert answer.status == 200 and answer.header("content-type") == "text/csv; charset=utf-8"
    assert "competitorOf" in answer.text
    wrong = queries_server.request("POST", "/queries/entity", "{}", {"Content-Type": "application/json"})
    assert wrong.status == 415


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/queries/no-such-query", 404, "no saved query"),
        ("/queries/entity", 400, "parameter 'entity': missing"),
        ("/queries/competitors?nation=x", 400, "parameter 'nation': unknown parameter"),
        ("/queries/figures?unit=" + MDK + "UnitEuro", 400, "parameter 'unit'"),
        ("/queries/paragraph?paragraph=11&paragraph=12", 400, "more than once"),
        ("/queries/competitors?page=2", 400, "not paginated"),
        ("/queries/competitors?format=turtle", 406, "none of the requested formats"),
    ],
)
def test_errors(queries_server: RunningServer, path: str, status: int, words: str) -> None:
    answer = queries_server.request("GET", path)
    assert answer.status == status, answer.text
    assert words in answer.text and answer.header("content-type") == "text/plain; charset=utf-8"


def test_negotiates_like_sparql(queries_server: RunningServer) -> None:
    answer = call(queries_server, "competitors", {"format": "tsv"})
    assert answer.status == 200 and answer.header("content-type").startswith("text/tab-separated-values")
    xml = call(queries_server, "competitors", accept="application/sparql-results+xml")
    assert xml.status == 200 and "<sparql" in xml.text


def test_cli_runs_a_saved_query(kg_build: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "--build-dir", str(kg_build), "--saved", "competitors", "--format", "csv"])
    assert code == 0
    output = capsys.readouterr().out
    assert ID + "rwanda" in output and ID + "kenya" in output and ID + "nigeria" in output
    code = main(["query", "--build-dir", str(kg_build), "--saved", "horizons", "--param", "year=2032"])
    assert code == 0 and "kenyan-study-labour-costs" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--saved", "entity"], "parameter 'entity': missing"),
        (["--saved", "entity", "--param", "entity=<x>"], "parameter 'entity'"),
        (["--saved", "entity", "--param", "entity"], "NAME=VALUE"),
        (["--saved", "nothing"], "no saved query"),
    ],
)
def test_cli_refuses_bad_calls(
    kg_build: Path, capsys: pytest.CaptureFixture[str], arguments: list[str], message: str
) -> None:
    assert main(["query", "--build-dir", str(kg_build), *arguments]) == 2
    assert message in capsys.readouterr().err
