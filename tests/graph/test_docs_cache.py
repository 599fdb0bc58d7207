"""The pyLODE page is cached under the ontology's hash: reused while the ontology is the same, redone when not."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from graph.docs import DocsError, ontology_hash, start_ontology_docs, write_ontology_docs

ONT = "https://example.org/tiny/ontology/"


def _ontology(label: str) -> Graph:
    graph = Graph()
    graph.bind("tiny", ONT)
    graph.add((URIRef(ONT), RDF.type, OWL.Ontology))
    graph.add((URIRef(ONT), RDFS.label, Literal("Tiny", lang="en")))
    graph.add((URIRef(ONT + "Thing"), RDF.type, OWL.Class))
    graph.add((URIRef(ONT + "Thing"), RDFS.label, Literal(label, lang="en")))
    return graph


def test_the_hash_ignores_triple_order_and_follows_content() -> None:
    same = Graph()
    for triple in reversed(sorted(_ontology("thing"))):
        same.add(triple)
    assert ontology_hash(same) == ontology_hash(_ontology("thing"))
    assert ontology_hash(_ontology("thing")) != ontology_hash(_ontology("other thing"))


def test_a_cached_page_is_reused_until_the_ontology_changes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = write_ontology_docs(_ontology("thing"), tmp_path / "one", cache_dir=cache)
    assert "thing" in first.read_text(encoding="utf-8")
    (entry,) = cache.glob("*.html")
    assert entry.name == f"{ontology_hash(_ontology('thing'))}.html"
    assert entry.read_bytes() == first.read_bytes()

    entry.write_text("<p>from the cache</p>", encoding="utf-8")  # what a reuse must copy
    again = write_ontology_docs(_ontology("thing"), tmp_path / "two", cache_dir=cache)
    assert again.read_text(encoding="utf-8") == "<p>from the cache</p>"

    changed = write_ontology_docs(_ontology("other thing"), tmp_path / "three", cache_dir=cache)
    assert "other thing" in changed.read_text(encoding="utf-8")
    assert len(list(cache.glob("*.html"))) == 2
    assert not list(cache.glob(".tmp-*")), "a temporary file was left in the cache"


def test_without_a_cache_the_page_is_rendered(tmp_path: Path) -> None:
    page = write_ontology_docs(_ontology("thing"), tmp_path / "docs")
    assert "<html" in page.read_text(encoding="utf-8").lower()


def test_a_page_renders_while_the_caller_goes_on(tmp_path: Path) -> None:
    pending = start_ontology_docs(_ontology("thing"), tmp_path / "docs", cache_dir=tmp_path / "cache")
    assert pending.renderer is not None, "an uncached page is rendered by a child process"
    assert not pending.target.exists()
    page = pending.finish()
    assert "thing" in page.read_text(encoding="utf-8")
    assert start_ontology_docs(_ontology("thing"), tmp_path / "again", tmp_path / "cache").renderer is None


def test_a_renderer_failure_says_why(tmp_path: Path) -> None:
    """A graph without an owl:Ontology cannot be documented: the error is pyLODE's own last line."""
    with pytest.raises(DocsError, match="owl:Ontology"):
        write_ontology_docs(Graph(), tmp_path / "docs")
    assert not (tmp_path / "docs" / "index.html").exists()
