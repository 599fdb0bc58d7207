"""The kg command over a real build: dump, stats, query."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rdflib import Graph

from core.settings import REPO_ROOT, Settings
from graph.build import BuildResult


def kg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
    )


def test_dump_writes_the_requested_format(built: tuple[BuildResult, dict, Settings], tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    done = kg("dump", "--build-dir", str(built[2].build_dir), "--format", "turtle", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert len(Graph().parse(target, format="turtle")) > 1000


def test_stats_reports_coverage_and_lists_uncovered_sentences(built: tuple[BuildResult, dict, Settings]) -> None:
    done = kg("stats", "--build-dir", str(built[2].build_dir), "--json")
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    coverage = stats["coverage"]["lexpress-seghrouchni"]
    assert coverage["sentences"] > 100
    assert coverage["covered"] + len(coverage["uncovered"]) + len(coverage["not_factual"]) == coverage["sentences"]
    text = kg("stats", "--build-dir", str(built[2].build_dir)).stdout
    assert "coverage of lexpress-seghrouchni" in text and "facts:" in text


def test_query_prints_a_table(built: tuple[BuildResult, dict, Settings]) -> None:
    done = kg(
        "query",
        "--build-dir",
        str(built[2].build_dir),
        "SELECT ?label WHERE { <https://w3id.org/morocco-digital-kg/id/morocco> "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?label",
    )
    assert done.returncode == 0, done.stderr
    assert "Maroc@fr" in done.stdout and "Morocco@en" in done.stdout and "(2 rows)" in done.stdout


def test_query_reports_a_syntax_error(built: tuple[BuildResult, dict, Settings]) -> None:
    done = kg("query", "--build-dir", str(built[2].build_dir), "SELECT WHERE {")
    assert done.returncode == 1
    assert "does not parse" in done.stderr


def test_build_error_exits_non_zero_and_names_the_file(seeds_copy: Path, tmp_path: Path) -> None:
    (seeds_copy / "entities" / "bad.yaml").write_text("- id: x\n  class: Nope\n  label: {fr: x, en: x}\n")
    done = kg("build", "--seeds-dir", str(seeds_copy), "--build-dir", str(tmp_path / "b"), "--no-docs")
    assert done.returncode == 1
    assert "bad.yaml:1" in done.stderr and "unknown class 'Nope'" in done.stderr
