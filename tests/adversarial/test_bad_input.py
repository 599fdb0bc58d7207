"""Bad input at start and at build time fails closed, says why, fetches nothing, and keeps the good data.

``tests/graph/test_seed_errors.py`` covers the build itself (each kind of bad seed, hostile ontology
files). Here: what ``kg serve`` does with hostile or damaged data (an RDF/XML billion-laughs file with an
external entity, JSON-LD with a remote ``@context``, truncated and corrupt files, a build whose N-Quads
no longer match its manifest), and that a failed ``kg build`` over a directory being served changes
nothing that the server answers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adversarial.adversarial_support import FIGURES, ConnectionCounter
from tests.adversarial.conftest import dump_checksums
from tests.server.server_support import REPO, running_server

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY ext SYSTEM "http://127.0.0.1:{port}/entity.xml">
 <!ENTITY a "lol">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/x"><ex:p>&d;&ext;</ex:p></rdf:Description>
</rdf:RDF>
"""


def _refusal(output: str) -> str:
    """The server's one-line reason for not starting."""
    return next((line for line in output.splitlines() if line.startswith("kg serve:")), output.splitlines()[0])


def _data_files(tmp_path: Path, port: int) -> dict[str, tuple[str, bytes, str]]:
    """name -> (file name, content, words the refusal must contain)."""
    context = f"http://127.0.0.1:{port}/context.jsonld"
    return {
        "RDF/XML billion laughs": ("laughs.rdf", BILLION_LAUGHS.format(port=port).encode(), "DOCTYPE or ENTITY"),
        "JSON-LD remote @context": (
            "remote.jsonld",
            json.dumps({"@context": context, "@id": "http://example.org/x", "name": "x"}).encode(),
            "remote context",
        ),
        "JSON-LD remote @context in a list": (
            "remote-list.jsonld",
            json.dumps({"@context": [{"ex": "http://example.org/"}, context], "@id": "ex:x"}).encode(),
            "remote context",
        ),
        "truncated Turtle": ("truncated.ttl", b"@prefix ex: <http://example.org/> .\nex:a ex:b ", "truncated.ttl"),
        "invalid UTF-8 N-Triples": ("corrupt.nt", b'<http://e.org/a> <http://e.org/b> "\xff\xfe" .\n', "corrupt.nt"),
        "binary garbage N-Quads": ("garbage.nq", bytes(range(256)) * 4, "garbage.nq"),
    }


def test_serve_refuses_hostile_or_damaged_data_files_without_network(tmp_path: Path) -> None:
    listener = ConnectionCounter()
    results: dict[str, str] = {}
    try:
        for name, (file_name, content, expected) in _data_files(tmp_path, listener.port).items():
            path = tmp_path / file_name
            path.write_bytes(content)
            with pytest.raises(RuntimeError) as refused, running_server(["--data", str(path)], startup_timeout=30):
                pass
            message = str(refused.value)
            results[name] = _refusal(message)
            FIGURES.bad_inputs[f"kg serve --data: {name}"] = {"outcome": results[name]}
            assert "server exited with 2" in message, message
            assert expected.lower() in message.lower(), message
            assert "Traceback" not in message, message
    finally:
        connections = listener.close()
    assert connections == 0


def _corrupted_builds(good: Path, tmp_path: Path) -> dict[str, tuple[Path, str]]:
    cases: dict[str, tuple[Path, str]] = {}

    def variant(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(good, target)
        return target

    lines = (good / "kg.nq").read_bytes().splitlines(keepends=True)
    cut = variant("cut-at-a-line")
    (cut / "kg.nq").write_bytes(b"".join(lines[: len(lines) // 2]))
    cases["kg.nq cut at a line boundary"] = (cut, "does not match the version")
    mid = variant("cut-mid-line")
    (mid / "kg.nq").write_bytes((good / "kg.nq").read_bytes()[:100_001])
    cases["kg.nq cut mid-line"] = (mid, "does not match the version")
    flipped = variant("one-byte-changed")
    data = bytearray((good / "kg.nq").read_bytes())
    data[len(data) // 2] ^= 0x01
    (flipped / "kg.nq").write_bytes(bytes(data))
    cases["kg.nq with one byte changed"] = (flipped, "does not match the version")
    manifest = variant("broken-manifest")
    (manifest / "manifest.json").write_text('{"version": ', encoding="utf-8")
    cases["manifest.json cut short"] = (manifest, "manifest.json is unreadable")
    missing = variant("no-version")
    (missing / "manifest.json").write_text("[]", encoding="utf-8")
    cases["manifest.json of the wrong shape"] = (missing, "manifest.json is unreadable")
    return cases


def test_serve_refuses_a_damaged_build(adv_build: Path, tmp_path: Path) -> None:
    for name, (build_dir, expected) in _corrupted_builds(adv_build, tmp_path).items():
        with pytest.raises(RuntimeError) as refused, running_server(["--build-dir", str(build_dir)], 30):
            pass
        message = str(refused.value)
        FIGURES.bad_inputs[f"kg serve --build-dir: {name}"] = {"outcome": _refusal(message)}
        assert "server exited with 2" in message and expected in message, message
        assert "Traceback" not in message, message


SEED_DAMAGE = {
    "quote not verbatim": ("documents/lexpress-seghrouchni/facts", "’", "'", "quote not found verbatim"),
    "seed file truncated": ("entities/places.yaml", None, None, "places.yaml:"),
    "seed file with invalid UTF-8": ("entities/places.yaml", b"\xff\xfe", None, "not valid UTF-8"),
}


def _damage(seeds: Path, name: str) -> None:
    where, old, new, _ = SEED_DAMAGE[name]
    target = seeds / where
    if target.is_dir():
        for path in sorted(target.glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            if old in text and "quote:" in text:
                path.write_text(text.replace(old, new), encoding="utf-8")  # type: ignore[arg-type]
                return
        raise AssertionError(f"no quote with {old!r} under {target}")
    if isinstance(old, bytes):
        target.write_bytes(target.read_bytes() + old)
    else:
        text = target.read_text(encoding="utf-8")
        target.write_text(text[: len(text) // 2 + 7], encoding="utf-8")


@pytest.mark.parametrize("damage", sorted(SEED_DAMAGE))
def test_failed_build_over_a_served_directory_changes_nothing_served(
    adv_build: Path, tmp_path: Path, damage: str
) -> None:
    served = tmp_path / "served"
    shutil.copytree(adv_build, served)
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    _damage(seeds, damage)
    before = dump_checksums(served)
    with running_server(["--build-dir", str(served), "--workers", "1"]) as server:
        version = server.request("GET", "/health").json()["version"]  # type: ignore[index]
        dump_before = hashlib.sha256(server.request("GET", "/dumps/kg.nq").body).hexdigest()
        command = [
            sys.executable,
            "-m",
            "kg",
            "build",
            "--build-dir",
            str(served),
            "--seeds-dir",
            str(seeds),
            "--no-reasoner",
            "--no-docs",
        ]
        result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert SEED_DAMAGE[damage][3] in output, output
        assert "Traceback" not in output, output
        assert server.request("GET", "/health").json()["version"] == version  # type: ignore[index]
        assert hashlib.sha256(server.request("GET", "/dumps/kg.nq").body).hexdigest() == dump_before
    assert dump_checksums(served) == before
    with running_server(["--build-dir", str(served), "--workers", "1"]) as restarted:
        assert restarted.request("GET", "/health").json()["version"] == version  # type: ignore[index]
    FIGURES.bad_inputs[f"kg build: {damage}"] = {"exit_code": str(result.returncode), "served data": "unchanged"}
