"""``kg query --saved NAME --param k=v``: a saved query run on the last build, without a server.

Takes the same validation and binding path as ``/queries/<name>`` (:func:`~core.call.prepare_call`)
and evaluates with the ``kg query`` machinery, so the command line and the API answer the same question.
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.call import prepare_call
from core.catalogue import load_catalogue
from core.errors import BuildError
from core.iris import DEFAULT_BASE_IRI
from core.parameters import ParameterError
from graph.build import read_manifest
from graph.local_query import LocalQueryError, run_local_query

NO_ROW_CAP = 1_000_000


def parse_params(pairs: list[str]) -> dict[str, list[str]]:
    """``["k=v", ...]`` to the same shape as HTTP arguments; raises ``ValueError`` on a pair without ``=``."""
    arguments: dict[str, list[str]] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not name:
            raise ValueError(f"--param takes NAME=VALUE, got {pair!r}")
        arguments.setdefault(name, []).append(value)
    return arguments


def run_saved(build_dir: Path, queries_dir: Path, name: str, pairs: list[str], output: str) -> int:
    """Print the answer of saved query ``name``; the exit code says what went wrong (1 data, 2 usage)."""
    try:
        base_iri = str(read_manifest(build_dir).get("base_iri") or DEFAULT_BASE_IRI)
        catalogue = load_catalogue(queries_dir, base_iri)
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    saved = catalogue.get(name)
    if saved is None:
        print(f"no saved query named {name!r}; known: {', '.join(catalogue.queries)}", file=sys.stderr)
        return 2
    try:
        call = prepare_call(saved, parse_params(pairs), NO_ROW_CAP)
    except (ValueError, ParameterError) as error:
        print(error, file=sys.stderr)
        return 2
    try:
        sys.stdout.write(run_local_query(build_dir, call.query, output))
    except (BuildError, LocalQueryError) as error:
        print(error, file=sys.stderr)
        return 1
    return 0
