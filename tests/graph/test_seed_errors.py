"""Bad seeds fail the build with file, line and reason, and leave the last good build in place."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.errors import BuildError
from core.settings import REPO_ROOT, Settings
from graph.build import build

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
    Corruption(
        "quote not verbatim",
        FIXTURE,
        "un institut autour de l’IA",
        "un institut autour de l'IA",
        "quote not found verbatim",
    ),
    Corruption("unknown property", FIXTURE, "specialisedIn", "specializedIn", "unknown property 'specializedIn'"),
    Corruption("unknown class", Path("entities/places.yaml"), "class: City", "class: Town", "unknown class 'Town'"),
    Corruption(
        "dangling entity id",
        FIXTURE,
        "[jazari-institute-dakhla, locatedIn, dakhla]",
        "[jazari-institute-dakhla, locatedIn, dakhla-city]",
        "unknown entity 'dakhla-city'",
    ),
    Corruption("wrong datatype", Path(""), "", "", "is not a valid xsd:gYear"),
    Corruption(
        "duplicate id",
        Path("entities/places.yaml"),
        "",
        "\n- id: rabat\n  class: City\n  label: {fr: Rabat, en: Rabat}\n",
        "duplicate id 'rabat'",
    ),
    Corruption("yaml syntax", Path("entities/places.yaml"), "- id: africa", "- id: [africa", "YAML syntax error"),
    Corruption(
        "range violation",
        FIXTURE,
        "[jazari-institute-dakhla, locatedIn, dakhla]",
        "[jazari-institute-dakhla, locatedIn, energy-transition]",
        "not in the range of locatedIn",
    ),
    Corruption(
        "not_factual not verbatim",
        DOC / "document.yaml",
        '"Est-ce aussi un sujet au Maroc ?"',
        '"Est-ce aussi un sujet en Maroc ?"',
        "not_factual sentence is not a sentence of interview-lexpress-seghrouchni.txt",
    ),
    Corruption(
        "missing english label",
        Path("entities/places.yaml"),
        "label: {fr: Rabat, en: Rabat}",
        "label: {fr: Rabat}",
        "missing language(s): en",
    ),
]


def _extra_facts_file(seeds: Path, body: str) -> Path:
    path = seeds / DOC / "facts" / "p98-test.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Seeds with the fixture paragraph, and their build: made once, copied by each case it damages."""
    root = tmp_path_factory.mktemp("good")
    seeds = root / "seeds"
    shutil.copytree(REPO_ROOT / "seeds", seeds)
    (seeds / FIXTURE).write_text(GOOD_FACTS, encoding="utf-8")
    build(Settings.from_env(seeds_dir=seeds, build_dir=root / "build", docs=False, reasoner=False))
    return seeds, root / "build"


@pytest.mark.parametrize("case", CORRUPTIONS, ids=[c.name for c in CORRUPTIONS])
def test_corrupt_seed_fails_with_location_and_keeps_last_build(
    case: Corruption, good_build: tuple[Path, Path], tmp_path: Path
) -> None:
    seeds_copy, build_dir = tmp_path / "seeds", tmp_path / "build"
    shutil.copytree(good_build[0], seeds_copy)
    shutil.copytree(good_build[1], build_dir)
    good = Settings.from_env(seeds_dir=seeds_copy, build_dir=build_dir, docs=False, reasoner=False)
    before = hashlib.sha256((build_dir / "kg.nq").read_bytes()).hexdigest()

    if case.name == "wrong datatype":
        target = _extra_facts_file(
            seeds_copy,
            'paragraph: 11\nclaims:\n  - quote: "A Dakhla"\n'
            '    facts:\n      - [jazari-root, horizon, {gYear: "soon"}]\n',
        )
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
    _extra_facts_file(
        seeds_copy,
        'paragraph: 11\nclaims:\n  - quote: "institut"\n    facts:\n      - [jazari-root, status, StatusLaunched]\n',
    )
    with pytest.raises(BuildError, match="add 'occurrence: N'"):
        build(Settings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False, reasoner=False))


def test_every_problem_is_reported_at_once(seeds_copy: Path, tmp_path: Path) -> None:
    _extra_facts_file(
        seeds_copy,
        'paragraph: 11\nclaims:\n  - quote: "no such words"\n    facts:\n      - [nobody, noProperty, nothing]\n',
    )
    with pytest.raises(BuildError) as caught:
        build(Settings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False, reasoner=False))
    reasons = " ".join(p.reason for p in caught.value.problems)
    assert "quote not found verbatim" in reasons and "unknown property 'noProperty'" in reasons
    # the quote problem points at the claim (line 3), the fact problems at the fact (line 5)
    assert {p.line for p in caught.value.problems} == {3, 5}, caught.value.problems


def test_a_decade_must_end_in_zero_and_only_dates_take_one(seeds_copy: Path, tmp_path: Path) -> None:
    """ "Dans les années 2010" is a decade: 2015s is not one, and a figure's text cannot hold one."""
    _extra_facts_file(
        seeds_copy,
        'paragraph: 11\nclaims:\n  - quote: "A Dakhla"\n    facts:\n'
        '      - [jazari-root, horizon, {decade: "2015s"}]\n'
        '      - [jazari-root, description, {decade: "2010s"}]\n',
    )
    with pytest.raises(BuildError) as caught:
        build(Settings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False, reasoner=False))
    found = {(p.line, p.reason) for p in caught.value.problems if p.file.name == "p98-test.yaml"}
    assert (5, "'2015s' is not a valid decade like 2010s") in found, caught.value.problems
    assert any(line == 6 and "a decade is written only as a date" in reason for line, reason in found), found


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "lol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&c;</ex:p></rdf:Description>
</rdf:RDF>
"""


def _listener() -> tuple[socket.socket, list[int]]:
    """A loopback socket that counts the connections made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    return server, []


def _count_connections(server: socket.socket) -> int:
    count = 0
    with contextlib.suppress(TimeoutError, OSError):
        while True:
            connection, _ = server.accept()
            connection.close()
            count += 1
    return count


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("laughs.rdf", BILLION_LAUGHS, "DOCTYPE or ENTITY"),
        ("remote.jsonld", None, "remote @context is refused"),
        ("truncated.ttl", b"@prefix ex: <http://example.org/> .\nex:a ex:b ", "syntax error"),
    ],
)
def test_hostile_ontology_files_fail_closed_without_network(
    name: str, content: bytes | None, expected: str, good_build: tuple[Path, Path], tmp_path: Path
) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(REPO_ROOT / "ontology", ontology)
    build_dir = tmp_path / "build"
    shutil.copytree(good_build[1], build_dir)  # the good build of these seeds and this ontology
    settings = Settings.from_env(
        seeds_dir=good_build[0], ontology_dir=ontology, build_dir=build_dir, docs=False, reasoner=False
    )
    before = hashlib.sha256((build_dir / "kg.nq").read_bytes()).hexdigest()
    server, _ = _listener()
    port = server.getsockname()[1]
    if content is None:
        content = json.dumps(
            {"@context": f"http://127.0.0.1:{port}/context.jsonld", "@id": "http://example.org/x", "name": "x"}
        ).encode()
    (ontology / name).write_bytes(content)
    with pytest.raises(BuildError, match=expected) as caught:
        build(settings)
    assert name in str(caught.value)
    assert _count_connections(server) == 0
    server.close()
    assert hashlib.sha256((build_dir / "kg.nq").read_bytes()).hexdigest() == before


def test_truncated_seed_file_fails_with_its_line(seeds_copy: Path, tmp_path: Path) -> None:
    entities = seeds_copy / "entities" / "places.yaml"
    text = entities.read_text(encoding="utf-8")
    entities.write_text(text[: text.index("- id: europe") + 25], encoding="utf-8")
    with pytest.raises(BuildError, match=r"places\.yaml:\d+") as caught:
        build(Settings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False, reasoner=False))
    assert caught.value.problems


def test_a_not_factual_sentence_off_by_one_word_names_its_line(seeds_copy: Path, tmp_path: Path) -> None:
    """Coverage figures must not lie: a not_factual entry that is not verbatim fails at its own line."""
    path = seeds_copy / DOC / "document.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, 1) if "Est-ce aussi un sujet au Maroc ?" in line)
    lines[number - 1] = lines[number - 1].replace("au Maroc", "en Maroc")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        build(Settings.from_env(seeds_dir=seeds_copy, build_dir=tmp_path / "b", docs=False, reasoner=False))
    [problem] = caught.value.problems
    assert (Path(problem.file).name, problem.line) == ("document.yaml", number)
    assert "en Maroc" in problem.reason
