"""Reading the store for the pages, through the same backend (and deadline) as ``/sparql``.

The web process never holds a second copy of the data: every page is a few SELECT or CONSTRUCT queries
sent to the backend as :class:`~server.evaluation.Job` objects, and SELECT answers come back as SPARQL JSON,
parsed here into :class:`~server.pages.terms.Term` rows.
"""

from __future__ import annotations

import json

from core import terms
from core.call import prepare_call
from core.catalogue import PAGE_QUERIES, load_catalogue
from core.parameters import ParameterError
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
        prefixes=state.prefix_pairs,
    )
    outcome = state.backend.run(job)
    if outcome.kind == "not_acceptable":
        raise not_acceptable(outcome.message)
    if outcome.kind != "ok":  # the pages' own queries: a failure here is a bug or an oversized answer
        raise bad_request(f"the page could not be built: {outcome.message}")
    return outcome


def page_query(state: ServerState, name: str, **values: str) -> str:
    """The text of ``queries/pages/<name>.rq`` with ``values`` bound (each an IRI or a value of its type).

    The files are the pages' queries as data, checked by ``kg build`` like the saved ones; they are read
    once per base IRI the served data has. A value that is not of its parameter's type is the client's
    bad request (:class:`~core.parameters.ParameterError`, a 400).
    """
    base = state.info.base_iri or state.settings.base_iri
    catalogue = state.page_queries.get(base)
    if catalogue is None:
        catalogue = state.page_queries[base] = load_catalogue(state.settings.queries_dir / PAGE_QUERIES, base)
    saved = catalogue.get(name)
    if saved is None:
        raise LookupError(f"no page query {name!r} in {state.settings.queries_dir / PAGE_QUERIES}")
    try:
        return prepare_call(saved, {key: [value] for key, value in values.items()}, state.settings.max_rows).query
    except ParameterError as error:
        raise bad_request(str(error)) from None


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
