"""The pages' own queries (``queries/pages/*.rq``): every one is used by the server and answers on the graph.

``kg build`` already refuses a page query that does not parse or declares a parameter it never uses; this
checks the other two ways one goes stale: a file no page runs any more, and a query that still parses but
matches nothing (a renamed property, a prefix typo), run here on the real build with its example target.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from core.call import prepare_call
from core.catalogue import PAGE_QUERIES, load_catalogue
from core.settings import REPO_ROOT

if TYPE_CHECKING:
    from tests.conftest import RealBuild


def test_every_page_query_is_run_by_the_server_and_matches_the_graph(real_build: RealBuild) -> None:
    catalogue = load_catalogue(REPO_ROOT / "queries" / PAGE_QUERIES)
    assert len(catalogue) >= 20
    server_code = "".join(path.read_text(encoding="utf-8") for path in (REPO_ROOT / "server").rglob("*.py"))
    store = ox.Store()
    store.bulk_load(path=str(real_build.directory / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    for saved in catalogue:
        assert f'"{saved.name}"' in server_code, f"queries/pages/{saved.name}.rq is not run by any page"
        values = {name: [value] for name, value in saved.example_values().items()}  # a typical target
        result = store.query(prepare_call(saved, values, 10_000).query, use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            assert bool(result), saved.name
        else:
            assert next(iter(result), None) is not None, f"queries/pages/{saved.name}.rq matches nothing"
