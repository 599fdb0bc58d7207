"""rdflib-endpoint's application as its ``serve`` command builds it, as a factory uvicorn can run in several
worker processes (the command itself runs one). Runs in ``bench/.venv-peers``, never in the project's venv.
"""

from __future__ import annotations

import os

from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def create() -> SparqlEndpoint:
    graph = Dataset(store="default", default_union=True)
    graph.parse(os.environ["BENCH_RDF_FILE"])
    return SparqlEndpoint(graph=graph, enable_update=False)
