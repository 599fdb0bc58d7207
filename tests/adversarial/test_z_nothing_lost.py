"""Nothing lost: after all the abuse, every dump has the checksum it had before, and every dump round-trips.

Named to run last in this folder. Checksums are taken by the session fixture before the first test; the
round-trip parses each dump and compares it, blank nodes canonicalised, with the N-Quads (the triple
formats hold the union of the named graphs, so they are compared with the union).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox

from tests.adversarial.adversarial_support import FIGURES
from tests.adversarial.conftest import dump_checksums
from tests.server.server_support import RunningServer


def _canonical(quads: list[ox.Quad], triples_only: bool) -> set[str]:
    dataset = ox.Dataset()
    for quad in quads:
        graph = ox.DefaultGraph() if triples_only else quad.graph_name
        dataset.add(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(quad) for quad in dataset}


def test_every_dump_is_unchanged_and_round_trips(
    adv_build: Path, adv_server: RunningServer, checksums_before: dict[str, str]
) -> None:
    after = dump_checksums(adv_build)
    manifest = json.loads((adv_build / "manifest.json").read_text(encoding="utf-8"))
    changed = sorted(name for name in checksums_before if after.get(name) != checksums_before[name])
    served_mismatch = []
    for entry in manifest["dumps"].values():
        answer = adv_server.request("GET", f"/dumps/{entry['file']}")
        if answer.status != 200 or hashlib.sha256(answer.body).hexdigest() != entry["sha256"]:
            served_mismatch.append(entry["file"])

    reference = list(ox.parse(path=str(adv_build / "kg.nq"), format=ox.RdfFormat.N_QUADS))
    as_quads, as_triples = _canonical(reference, False), _canonical(reference, True)
    not_round_tripping = []
    for entry in manifest["dumps"].values():
        rdf_format = ox.RdfFormat.from_media_type(entry["media_type"])
        assert rdf_format is not None, entry
        parsed = list(ox.parse(path=str(adv_build / entry["file"]), format=rdf_format))
        expected = as_quads if rdf_format.supports_datasets else as_triples
        if _canonical(parsed, not rdf_format.supports_datasets) != expected:
            not_round_tripping.append(entry["file"])

    FIGURES.dumps_checked = len(checksums_before)
    FIGURES.data_lost = len(changed) + len(served_mismatch) + len(not_round_tripping)
    FIGURES.notes["dumps"] = {"checksums": len(checksums_before), "round_tripped": len(manifest["dumps"])}
    assert not changed, changed
    assert not served_mismatch, served_mismatch
    assert not not_round_tripping, not_round_tripping
