"""Reading the store for the pages, through the same backend (and deadline) as ``/sparql``.

The web process never holds a second copy of the data: every page is a few SELECT or CONSTRUCT queries
sent to the backend as :class:`~server.evaluation.Job` objects, and SELECT answers come back as SPARQL JSON,
parsed here into :class:`~server.pages.terms.Term` rows.
"""

from __future__ import annotations

import json

from core import terms
from server.errors import bad_request, not_acceptable
from server.evaluation import Job, Outcome, OutputFormat
from server.pages.terms import Term, from_json
from server.state import ServerState

JSON_RESULTS = OutputFormat("JSON", "application/sparql-results+json; charset=utf-8")
Row = dict[str, Term]


def _run(state: ServerState, query: str, graph_format: OutputFormat | None = None) -> Outcome:
    job = Job(
        query=query,
        capped_query=None,
        default_graphs=None,
        named_graphs=None,
        results_format=JSON_RESULTS,
        graph_format=graph_format,
        max_rows=state.settings.max_rows,
        prefixes=tuple(state.prefixes.items()),
    )
    outcome = state.backend.run(job)
    if outcome.kind == "not_acceptable":
        raise not_acceptable(outcome.message)
    if outcome.kind != "ok":  # the pages' own queries: a failure here is a bug or an oversized answer
        raise bad_request(f"the page could not be built: {outcome.message}")
    return outcome


def select(state: ServerState, query: str) -> list[Row]:
    """Rows of a SELECT query, unbound variables left out of each row."""
    document = json.loads(_run(state, query).body)
    return [{name: from_json(value) for name, value in binding.items()} for binding in document["results"]["bindings"]]


def ask(state: ServerState, query: str) -> bool:
    return bool(json.loads(_run(state, query).body)["boolean"])


def construct(state: ServerState, query: str, graph_format: OutputFormat) -> Outcome:
    """A CONSTRUCT answer serialised by the evaluator (``truncated`` past the server's row cap)."""
    return _run(state, query, graph_format)


def iri(value: str) -> str:
    """``<value>`` for a query, through the one IRI guard (:func:`core.terms.iri`) the saved queries use.

    The IRIs come from the store or from a checked path, never raw input; one that would still end the IRI
    early is the client's bad request.
    """
    try:
        return terms.iri(value)
    except terms.UnsafeTerm:
        raise bad_request("not a valid IRI") from None
