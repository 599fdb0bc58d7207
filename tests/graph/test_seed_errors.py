"""Bad seeds fail the build with file, line and reason, and leave the last good build in place."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph.build import build
from graph.errors import BuildError
from graph.settings import BuildSettings

DOC = Path("documents/lexpress-seghrouchni")
FIXTURE = DOC / "facts/p99-fixture.yaml"
GOOD_FACTS = """paragraph: 11
claims:
  - quote: "A Dakhla, un institut autour de l’IA et de la transition énergétique."
    facts:
      - [jazari-institute-dakhla, locatedIn, dakhla]
      - [jazari-institute-dakhla, specialisedIn, energy-transition]
"""


@dataclass(frozen=True)
class Corruption:
    """Replace ``old`` by ``new`` in ``file`` (or append ``new`` when ``old`` is empty)."""

    name: str
    file: Path
    old: str
    new: str
    expected: str


CORRUPTIONS = [
    Corruption("quote not verbatim", FIXTURE, "un institut autour de l’IA", "un institut autour de l'IA",
               "quote not found verbatim"),
    Corruption("unknown property", FIXTURE, "specialisedIn", "specializedIn", "unknown property 'specializedIn'"),
    Corruption("unknown class", Path("entities/places.yaml"), "class: City", "class: Town", "unknown class 'Town'"),
    Corruption("dangling entity id", FIXTURE, "[jazari-institute-dakhla, locatedIn, dakhla]",
               "[jazari-institute-dakhla, locatedIn, dakhla-city]", "unknown entity 'dakhla-city'"),
    Corruption("wrong datatype", Path(""), "", "", "is not a valid xsd:gYear"),
    Corruption("duplicate id", Path("entities/places.yaml"), "",
               "\n- id: rabat\n  class: City\n  label: {fr: Rabat, en: Rabat}\n", "duplicate id 'rabat'"),
    Corruption("yaml syntax", Path("entities/places.yaml"), "- id: africa", "- id: [africa", "YAML syntax error"),
    Corruption("range violation", FIXTURE, "[jazari-institute-dakhla, locatedIn, dakhla]",
               "[jazari-institute-dakhla, locatedIn, energy-transition]", "not in the range of locatedIn"),
    Corruption("missing english label", Path("entities/places.yaml"), "label: {fr: Rabat, en: Rabat}",
               "label: {fr: Rabat}", "missing language(s): en"),
]


def _extra_facts_file(seeds: Path, body: str) -> Path:
    path = seeds / DOC / "facts" / "p98-test.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CORRUPTIONS, ids=[c.name for c in CORRUPTIONS])
def test_corrupt_seed_fails_with_location_and_keeps_last_build(case: Corruption, seeds_copy: Path,
                                                                tmp_path: Path) -> None:
    (seeds_copy / FIXTURE).write_text(GOOD_FACTS, encoding="utf-8")
    build_dir = tmp_path / "build"
    good = BuildSettings.from_env(seeds_dir=seeds_copy, build_dir=build_dir, docs=False)
    build(good)
    before = hashlib.sha256((build_dir / "kg.nq").read_bytes()).hexdigest()

    if case.name == "wrong datatype":
        target = _extra_facts_file(seeds_copy, 'paragraph: 11\nclaims:\n  - quote: "A Dakhla"\n'
                                               '    facts:\n      - [jazari-root, horizon, {gYear: "soon"}]\n')
    else:
        target = seeds_copy / case.file
        text = target.read_text(encoding="utf-8")
        assert case.old in text, f"fixture drifted: {case.old!r} not in {case.file}"
        target.write_text(text.replace(case.old, case.new, 1) if case.old else text + case.new, encoding="utf-8")

    with pytest.raises(BuildError) as caught:
        build(good)
    message = str(caught.value)
    assert case.expected in message
    assert f"{target.name}:" in message, f"the error does not name the file and line:\n{message}"
    assert hashlib.sha256((build_dir / "kg.nq").read_bytes()).hexdigest() == before
    assert not list(tmp_path.glob(".build.new-*")), "a staging directory was left behind"


def test_ambiguous_quote_needs_an_occurrence(seeds_copy: Path, tmp_path: Path) -> None:
    _extra_facts_file(seeds_copy, 'paragraph: 11\nclaims:\n  - quote: "institut"\n'
                                  '    facts:\n      - [jazari-root, status, StatusLaunched]\n')
    with pytest.raises(BuildError, match="add 'occurrence: N'"):
        build(BuildSettings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False))


def test_every_problem_is_reported_at_once(seeds_copy: Path, tmp_path: Path) -> None:
    _extra_facts_file(seeds_copy, 'paragraph: 11\nclaims:\n  - quote: "no such words"\n'
                                  '    facts:\n      - [nobody, noProperty, nothing]\n')
    with pytest.raises(BuildError) as caught:
        build(BuildSettings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False))
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "quote not found verbatim" in reasons and "unknown property 'noProperty'" in reasons
    # the quote problem points at the claim (line 3), the fact problems at the fact (line 5)
    assert {p.line for p in caught.value.problems} == {3, 5}, caught.value.problems
