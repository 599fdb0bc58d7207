"""Optional: publish to and serve from Virtuoso (Debian package ``virtuoso-opensource``), when one is running.

Not part of the default run (nothing installs Virtuoso). Give the store's base URL in ``KG_VIRTUOSO_URL``
(e.g. ``http://dba:dba@127.0.0.1:8890``, a user allowed to use SPARQL Update and the Graph Store endpoint).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from remote_support import remote_server
from server_support import KG, write_fixture_build

from core.settings import StoreLocation
from server.remote.publish import Publisher, from_build

pytestmark = pytest.mark.virtuoso
URL = os.environ.get("KG_VIRTUOSO_URL", "")


@pytest.mark.skipif(not URL, reason="set KG_VIRTUOSO_URL to a running Virtuoso to run this test")
def test_publish_and_serve_on_virtuoso(tmp_path: Path) -> None:
    location = StoreLocation(URL, query_path="/sparql", update_path="/sparql", gsp_path="/sparql-graph-crud-auth")
    published, uploads = from_build(write_fixture_build(tmp_path / "build"))
    report = Publisher(location).publish(published, uploads)
    assert report.not_replaced == []
    arguments = ["--query-path", "/sparql", "--store-timeout-param", "timeout:ms", "--max-rows", "5"]
    with remote_server(URL, arguments) as server:
        answer = server.query(f"SELECT ?a WHERE {{ ?a a <{KG}Actor> }} ORDER BY ?a")
        assert answer.status == 200 and answer.header("x-result-truncated") == "true"
