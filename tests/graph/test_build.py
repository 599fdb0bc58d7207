"""The build writes every named graph, every dump, reproducibly, and each dump round-trips."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from core.settings import REPO_ROOT, Settings
from graph.build import BuildResult
from graph.dumps import FORMATS

BASE = "https://w3id.org/morocco-digital-kg/"


def test_named_graphs_have_the_expected_roles(built: tuple[BuildResult, dict, Settings]) -> None:
    _result, manifest, _settings = built
    roles = {iri: info["role"] for iri, info in manifest["graphs"].items()}
    assert roles[BASE + "graph/ontology"] == "ontology"
    assert roles[BASE + "graph/entities"] == "entities"
    assert roles[BASE + "graph/provenance"] == "provenance"
    assert roles[BASE + "graph/inferences"] == "inferences"
    assert roles[BASE + "graph/facts/lexpress-seghrouchni"] == "facts"
    assert all(info["triples"] > 0 for info in manifest["graphs"].values()), manifest["graphs"]


def test_manifest_checksums_match_the_files(built: tuple[BuildResult, dict, Settings]) -> None:
    _result, manifest, settings = built
    assert set(manifest["dumps"]) == set(FORMATS)
    for info in manifest["dumps"].values():
        data = (settings.build_dir / info["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"]
        assert len(data) == info["bytes"]
    assert manifest["version"] == manifest["dumps"]["nquads"]["sha256"]


def test_ontology_documentation_is_generated(built: tuple[BuildResult, dict, Settings]) -> None:
    html = (built[2].build_dir / "ontology" / "index.html").read_text(encoding="utf-8")
    assert "Morocco Digital Knowledge Graph ontology" in html
    assert "Institute" in html and "supportedBy" in html


def test_two_builds_are_byte_identical(built: tuple[BuildResult, dict, Settings], tmp_path: Path) -> None:
    """A second build, in another process (another hash seed), gives the same bytes in every dump."""
    other = tmp_path / "again"
    subprocess.run(
        [sys.executable, "-m", "kg", "build", "--no-docs", "--build-dir", str(other)],
        check=True,
        cwd=REPO_ROOT,
        capture_output=True,
        env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin:/bin"},
    )
    again = json.loads((other / "manifest.json").read_text())
    first = built[1]
    assert {k: v["sha256"] for k, v in again["dumps"].items()} == {k: v["sha256"] for k, v in first["dumps"].items()}


def _as_dataset(path: Path, rdflib_format: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(path, format=rdflib_format)
    return dataset


def _union(dataset: Dataset) -> Graph:
    union = Graph()
    for s, p, o, _g in dataset.quads():
        union.add((s, p, o))
    return union


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_dump_round_trips(built: tuple[BuildResult, dict, Settings], name: str) -> None:
    result, _manifest, settings = built
    fmt = FORMATS[name]
    path = settings.build_dir / fmt.file
    if fmt.quads:
        parsed = _as_dataset(path, fmt.rdflib_format)
        names = {g.identifier for g in parsed.graphs() if len(g)}
        assert names == {g for g in result.graph_roles if len(result.dataset.graph(g))}
        for graph_name in result.graph_roles:
            assert isomorphic(parsed.graph(graph_name), result.dataset.graph(graph_name)), graph_name
    else:
        parsed_graph = Graph().parse(path, format=fmt.rdflib_format)
        assert isomorphic(parsed_graph, _union(result.dataset))


def test_jsonld_has_a_compact_context(built: tuple[BuildResult, dict, Settings]) -> None:
    document = json.loads((built[2].build_dir / "kg.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["mdk"] == BASE + "ontology/"
    assert "kg:jazari-root" in json.dumps(document)


def test_base_iri_is_configurable(tmp_path: Path) -> None:
    from graph.build import build_dataset

    settings = Settings.from_env(
        build_dir=tmp_path / "b", base_iri="http://example.org/kg/", reasoner=False, docs=False
    )
    result = build_dataset(settings)
    subjects = {str(s) for s, _p, _o, _g in result.dataset.quads() if isinstance(s, URIRef)}
    assert "http://example.org/kg/id/jazari-root" in subjects
    assert not any(s.startswith(BASE) for s in subjects)
