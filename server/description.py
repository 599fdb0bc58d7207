"""The SPARQL Service Description and the VoID description, built as RDF and serialised by pyoxigraph.

Both are computed per request from the request's own root URL, so that the IRIs they give
(``sd:endpoint``, ``void:sparqlEndpoint``, ``void:dataDump``) are the ones the client can actually reach,
whatever host name or port the server runs behind. They only state what works: no ``SERVICE`` feature.
"""

from __future__ import annotations

import html

import pyoxigraph as ox

from server.dataset import DatasetInfo
from server.negotiation import GRAPH_FORMATS, RESULT_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWL_VERSION = ox.NamedNode("http://www.w3.org/2002/07/owl#versionInfo")
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "dcterms": DCT,
    "foaf": FOAF,
    "dcat": DCAT,
    "spdx": SPDX,
    "formats": "http://www.w3.org/ns/formats/",
}
# The outside datasets the graph links to (skos:exactMatch), for the VoID linksets.
LINKED_DATASETS = {
    "geonames": ("GeoNames", "https://www.geonames.org/", "https://sws.geonames.org/"),
    "wikidata": ("Wikidata", "https://www.wikidata.org/", "http://www.wikidata.org/entity/"),
}
SKOS_EXACT_MATCH = "http://www.w3.org/2004/02/skos/core#exactMatch"
_FORMAT_IRIS = {
    "JSON": "SPARQL_Results_JSON",
    "XML": "SPARQL_Results_XML",
    "CSV": "SPARQL_Results_CSV",
    "TSV": "SPARQL_Results_TSV",
    "TURTLE": "Turtle",
    "N_TRIPLES": "N-Triples",
    "RDF_XML": "RDF_XML",
    "JSON_LD": "JSON-LD",
    "N_QUADS": "N-Quads",
    "TRIG": "TriG",
    "N3": "N3",
}


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


class _Graph:
    """A small triple collector to keep the description code declarative."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []

    def add(self, subject: ox.NamedNode | ox.BlankNode, predicate: str, obj: object) -> None:
        term = obj if isinstance(obj, ox.NamedNode | ox.BlankNode | ox.Literal) else ox.Literal(str(obj))
        self.triples.append(ox.Triple(subject, _iri(predicate), term))

    def add_type(self, subject: ox.NamedNode | ox.BlankNode, class_iri: str) -> None:
        self.triples.append(ox.Triple(subject, RDF_TYPE, _iri(class_iri)))


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_iri("http://www.w3.org/2001/XMLSchema#integer"))


def service_description(root: str, info: DatasetInfo) -> list[ox.Triple]:
    """``sd:Service`` for the endpoint at ``{root}sparql``, its formats and its default dataset."""
    graph = _Graph()
    endpoint = _iri(root + "sparql")
    dataset = _iri(root + ".well-known/void#dataset")
    graph.add_type(endpoint, SD + "Service")
    graph.add(endpoint, SD + "endpoint", endpoint)
    graph.add(endpoint, SD + "supportedLanguage", _iri(SD + "SPARQL11Query"))
    graph.add(endpoint, SD + "feature", _iri(SD + "UnionDefaultGraph"))
    graph.add(endpoint, SD + "defaultEntailmentRegime", _iri("http://www.w3.org/ns/entailment/Simple"))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        graph.add(endpoint, SD + "resultFormat", _iri("http://www.w3.org/ns/formats/" + _FORMAT_IRIS[fmt.name]))
    graph.add(endpoint, SD + "defaultDataset", dataset)
    graph.add_type(dataset, SD + "Dataset")
    default_graph = ox.BlankNode()
    graph.add(dataset, SD + "defaultGraph", default_graph)
    graph.add_type(default_graph, SD + "Graph")
    graph.add(default_graph, VOID + "triples", _count(info.triples))
    for named in info.graphs:
        node, inner = ox.BlankNode(), ox.BlankNode()
        graph.add(dataset, SD + "namedGraph", node)
        graph.add_type(node, SD + "NamedGraph")
        graph.add(node, SD + "name", _iri(named.iri))
        graph.add(node, SD + "graph", inner)
        graph.add_type(inner, SD + "Graph")
        graph.add(inner, VOID + "triples", _count(named.triples))
    return graph.triples


def void_description(root: str, info: DatasetInfo, title: str, license_iri: str) -> list[ox.Triple]:
    """VoID for the whole dataset and one subset per named graph."""
    graph = _Graph()
    document = _iri(root + ".well-known/void")
    dataset = _iri(root + ".well-known/void#dataset")
    graph.add_type(document, VOID + "DatasetDescription")
    graph.add(document, DCT + "title", ox.Literal(f"VoID description of the {title}", language="en"))
    graph.add(document, FOAF + "primaryTopic", dataset)
    graph.add_type(dataset, VOID + "Dataset")
    graph.add(dataset, DCT + "title", ox.Literal(title, language="en"))
    graph.add(dataset, DCT + "license", _iri(license_iri))
    graph.add(dataset, OWL_VERSION.value, info.version)
    graph.add(dataset, VOID + "sparqlEndpoint", _iri(root + "sparql"))
    for dump in info.dumps.values():
        graph.add(dataset, VOID + "dataDump", _iri(f"{root}dumps/{dump.name}"))
    if info.base_iri:
        graph.add(dataset, VOID + "uriSpace", info.base_iri)
        graph.add(dataset, VOID + "vocabulary", _iri(info.base_iri + "ontology/"))
    graph.add(dataset, VOID + "triples", _count(info.triples))
    for example in info.example_resources:
        graph.add(dataset, VOID + "exampleResource", _iri(example))
    for index, named in enumerate(info.graphs, start=1):
        subset = _iri(f"{root}.well-known/void#graph-{index}")
        graph.add(dataset, VOID + "subset", subset)
        graph.add_type(subset, VOID + "Dataset")
        graph.add(subset, SD + "name", _iri(named.iri))
        graph.add(subset, DCT + "description", ox.Literal(f"named graph ({named.role})", language="en"))
        graph.add(subset, VOID + "triples", _count(named.triples))
    _linksets(graph, root, dataset, info)
    _dcat(graph, root, dataset, info, title, license_iri)
    return graph.triples


def _linksets(graph: _Graph, root: str, dataset: ox.NamedNode, info: DatasetInfo) -> None:
    """One ``void:Linkset`` per outside dataset the graph links to, with its number of links."""
    for name, count in sorted(info.linksets.items()):
        label, homepage, space = LINKED_DATASETS[name]
        linkset, target = _iri(f"{root}.well-known/void#links-{name}"), _iri(f"{root}.well-known/void#{name}")
        graph.add_type(target, VOID + "Dataset")
        graph.add(target, DCT + "title", ox.Literal(label, language="en"))
        graph.add(target, FOAF + "homepage", _iri(homepage))
        graph.add(target, VOID + "uriSpace", space)
        graph.add(dataset, VOID + "subset", linkset)
        graph.add_type(linkset, VOID + "Linkset")
        graph.add(linkset, VOID + "linkPredicate", _iri(SKOS_EXACT_MATCH))
        graph.add(linkset, VOID + "subjectsTarget", dataset)
        graph.add(linkset, VOID + "objectsTarget", target)
        graph.add(linkset, VOID + "triples", _count(count))


def _dcat(graph: _Graph, root: str, dataset: ox.NamedNode, info: DatasetInfo, title: str, license_iri: str) -> None:
    """The same dataset as a ``dcat:Dataset``, one ``dcat:Distribution`` per dump, checksummed (SPDX)."""
    graph.add_type(dataset, DCAT + "Dataset")
    graph.add(dataset, DCAT + "landingPage", _iri(root))
    for dump in info.dumps.values():
        distribution, checksum = _iri(f"{root}.well-known/void#dump-{dump.name}"), ox.BlankNode()
        graph.add(dataset, DCAT + "distribution", distribution)
        graph.add_type(distribution, DCAT + "Distribution")
        graph.add(distribution, DCT + "title", ox.Literal(f"{title}: {dump.name}", language="en"))
        graph.add(distribution, DCAT + "downloadURL", _iri(f"{root}dumps/{dump.name}"))
        graph.add(
            distribution, DCAT + "mediaType", _iri(f"https://www.iana.org/assignments/media-types/{dump.media_type}")
        )
        graph.add(
            distribution, DCAT + "byteSize", ox.Literal(str(dump.size), datatype=_iri(XSD + "nonNegativeInteger"))
        )
        graph.add(distribution, DCT + "license", _iri(license_iri))
        graph.add(distribution, SPDX + "checksum", checksum)
        graph.add_type(checksum, SPDX + "Checksum")
        graph.add(checksum, SPDX + "algorithm", _iri(SPDX + "checksumAlgorithm_sha256"))
        graph.add(checksum, SPDX + "checksumValue", ox.Literal(dump.sha256, datatype=_iri(XSD + "hexBinary")))


def schema_org_dataset(root: str, info: DatasetInfo, title: str, license_iri: str) -> dict[str, object]:
    """schema.org ``Dataset`` for the home page (JSON-LD), for search engines and data catalogues.

    Only what the build knows: no creator is named, since the source text names none for the graph;
    the publisher and author of the interview are described on its own page.
    """
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": root + ".well-known/void#dataset",
        "name": title,
        "description": (
            "A linked-data knowledge graph of Morocco's digital and AI policy, built from an interview: "
            "every fact is backed by a verbatim quote of the source."
        ),
        "url": root,
        "license": license_iri,
        "version": info.version,
        "isAccessibleForFree": True,
        "inLanguage": ["fr", "en"],
        "keywords": ["Morocco", "digital policy", "artificial intelligence", "linked data", "knowledge graph"],
        "distribution": [
            {
                "@type": "DataDownload",
                "contentUrl": f"{root}dumps/{dump.name}",
                "encodingFormat": dump.media_type,
                "contentSize": f"{dump.size} B",
                "sha256": dump.sha256,
            }
            for dump in info.dumps.values()
        ],
    }


def html_page(root: str, info: DatasetInfo, title: str) -> str:
    """A small page for people who open the endpoint in a browser, with a query form."""
    escape = html.escape
    graphs = "".join(
        f"<li><code>{escape(g.iri)}</code> ({escape(g.role)}, {g.triples} triples)</li>" for g in info.graphs
    )
    dumps = "".join(
        f'<li><a href="{escape(root)}dumps/{escape(d.name)}">{escape(d.name)}</a> ({escape(d.media_type)})</li>'
        for d in info.dumps.values()
    )
    example = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}: SPARQL endpoint</title></head>
<body>
<h1>{escape(title)}</h1>
<p>SPARQL 1.1 endpoint: <code>{escape(root)}sparql</code> (GET <code>?query=</code> or POST).
Dataset version <code>{escape(info.version)}</code>, {info.triples} triples.
<a href="{escape(root)}.well-known/void">VoID description</a>.</p>
<form action="{escape(root)}sparql" method="get">
<textarea name="query" rows="8" cols="80">{escape(example)}</textarea><br>
<button type="submit">Run query</button>
</form>
<h2>Named graphs</h2><ul>{graphs}</ul>
<h2>Dumps</h2><ul>{dumps or "<li>none</li>"}</ul>
</body></html>
"""


def serialise(triples: list[ox.Triple], format_name: str) -> bytes:
    """Serialise a description natively, with readable prefixes where the format has them."""
    rdf_format = getattr(ox.RdfFormat, format_name)
    return ox.serialize(triples, format=rdf_format, prefixes=PREFIXES) or b""
