"""Discoverable: VoID linksets with their counts, DCAT distributions matching the files, schema.org at home."""

from __future__ import annotations

import hashlib
import json
import re

import rdflib

from tests.pages.site_support import RunningServer

VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
SKOS_EXACT_MATCH = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")
TARGETS = {"geonames": "https://sws.geonames.org/", "wikidata": "http://www.wikidata.org/entity/"}


def _void(server: RunningServer) -> rdflib.Graph:
    answer = server.request("GET", "/.well-known/void", headers={"Accept": "text/turtle"})
    assert answer.status == 200, answer.text[:300]
    return rdflib.Graph().parse(data=answer.body, format="turtle")


def test_void_linksets_count_the_links_of_the_dump(pages_server: RunningServer) -> None:
    dump = rdflib.Graph().parse(data=pages_server.request("GET", "/dumps/kg.nt").body, format="nt")
    void = _void(pages_server)
    for prefix in TARGETS.values():
        expected = sum(1 for o in dump.objects(None, SKOS_EXACT_MATCH) if str(o).startswith(prefix))
        assert expected > 0
        [linkset] = [
            s
            for s in void.subjects(rdflib.RDF.type, VOID.Linkset)
            if str(void.value(void.value(s, VOID.objectsTarget), VOID.uriSpace)) == prefix
        ]
        assert void.value(linkset, VOID.linkPredicate) == SKOS_EXACT_MATCH
        assert int(void.value(linkset, VOID.triples)) == expected


def test_every_dump_is_a_dcat_distribution_whose_size_and_checksum_match_the_download(
    pages_server: RunningServer,
) -> None:
    void = _void(pages_server)
    [dataset] = void.subjects(rdflib.RDF.type, DCAT.Dataset)
    distributions = list(void.objects(dataset, DCAT.distribution))
    listed = json.loads(pages_server.request("GET", "/dumps/").body)["dumps"]
    assert len(distributions) == len(listed)
    for distribution in distributions:
        url = str(void.value(distribution, DCAT.downloadURL))
        body = pages_server.request("GET", "/dumps/" + url.rsplit("/", 1)[-1]).body
        assert int(void.value(distribution, DCAT.byteSize)) == len(body)
        checksum = void.value(distribution, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        assert str(void.value(distribution, DCAT.mediaType)).startswith("https://www.iana.org/assignments/media-types/")


def test_the_home_page_embeds_a_schema_org_dataset(pages_server: RunningServer) -> None:
    page = pages_server.request("GET", "/", headers={"Accept": "text/html"}).text
    [script] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    description = json.loads(script)
    assert description["@type"] == "Dataset" and description["license"].startswith("https://creativecommons.org/")
    listed = json.loads(pages_server.request("GET", "/dumps/").body)["dumps"]
    assert sorted(d["sha256"] for d in description["distribution"]) == sorted(d["sha256"] for d in listed)
