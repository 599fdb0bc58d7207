"""Stateless replicas: two ``kg serve --backend`` processes on one store give the same answers and both
follow a new publish without a restart."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from tests.remote.remote_support import RunningServer, Store, remote_server, running_store
from tests.server.server_support import BASE, ID, KG, RDF_TYPE, write_fixture_build

COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a a <{KG}Actor> }}"


def _count(server: RunningServer) -> int:
    answer = server.query(COUNT)
    assert answer.status == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def _version(server: RunningServer) -> str:
    return str(json.loads(server.request("GET", "/health").body)["version"])


def test_two_replicas_share_one_store(tmp_path: Path) -> None:
    first_build = write_fixture_build(tmp_path / "first")
    with running_store() as store:
        store.publish_build(first_build)
        arguments = ["--store-refresh", "0.2", "--http-workers", "1"]
        with remote_server(store.url, arguments) as one, remote_server(store.url, arguments) as two:
            for query in (COUNT, f"DESCRIBE <{ID}actor-1>", "SELECT ?g WHERE { GRAPH ?g {} } ORDER BY ?g"):
                assert (
                    one.query(query, accept="text/csv, text/turtle").body
                    == two.query(query, accept="text/csv, text/turtle").body
                )
            assert _count(one) == _count(two) == 12
            old = _version(one)
            _publish_one_more_actor(store, tmp_path / "second")
            deadline_hit = _wait_for(lambda: _version(one) != old and _version(two) != old)
            assert deadline_hit, "a replica did not pick up the new publish"
            assert _version(one) == _version(two)
            assert _count(one) == _count(two) == 13  # the answer cache was emptied with the new version
            entity = one.request("GET", "/id/actor-13", headers={"Accept": "text/turtle"})
            assert entity.status == 200 and b"actor-13" in entity.body


def _publish_one_more_actor(store: Store, directory: Path) -> None:
    build = write_fixture_build(directory)
    nquads = build / "kg.nq"
    extra = ox.Quad(
        ox.NamedNode(ID + "actor-13"),
        ox.NamedNode(RDF_TYPE),
        ox.NamedNode(KG + "Actor"),
        ox.NamedNode(BASE + "graph/facts/interview-1"),
    )
    content = nquads.read_bytes() + ox.serialize([extra], format=ox.RdfFormat.N_QUADS)
    nquads.write_bytes(content)
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["version"] = hashlib.sha256(content).hexdigest()
    manifest["graphs"][BASE + "graph/facts/interview-1"]["triples"] += 1
    (build / "manifest.json").write_text(json.dumps(manifest))
    report = store.publish_build(build)
    assert report.not_replaced == []


def _wait_for(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
