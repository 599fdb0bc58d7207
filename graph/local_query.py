"""SPARQL over the last build from the command line, without a server.

The build's N-Quads are loaded into an in-memory Oxigraph store; the default graph is
the union of the named graphs, as on the endpoint. Updates are refused: the build is
the only writer of the data.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from graph.build import read_manifest
from graph.dumps import FORMATS

_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
_GRAPH_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES}


class LocalQueryError(Exception):
    """The query does not parse, or is not a read-only query."""


def load_store(build_dir: Path) -> ox.Store:
    read_manifest(build_dir)
    store = ox.Store()
    store.bulk_load(path=str(build_dir / FORMATS["nquads"].file), format=ox.RdfFormat.N_QUADS)
    return store


def run_local_query(build_dir: Path, query: str, output: str = "table") -> str:
    store = load_store(build_dir)
    try:
        results = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise LocalQueryError(f"query does not parse: {exc}") from exc
    if isinstance(results, ox.QueryBoolean):
        return ("true" if bool(results) else "false") + "\n"
    if isinstance(results, ox.QuerySolutions):
        if output == "table":
            return _table(results)
        fmt = _RESULT_FORMATS.get(output)
        if fmt is None:
            raise LocalQueryError(f"a SELECT result cannot be written as {output}")
        return (results.serialize(format=fmt) or b"").decode("utf-8")
    fmt_graph = _GRAPH_FORMATS.get(output if output != "table" else "turtle")
    if fmt_graph is None:
        raise LocalQueryError(f"a graph result cannot be written as {output}")
    return (results.serialize(format=fmt_graph) or b"").decode("utf-8")


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    if isinstance(term, ox.NamedNode):
        return term.value
    return str(term)


def _table(solutions: ox.QuerySolutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_cell(row[name]) for name in names] for row in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "-+-".join("-" * w for w in widths)]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"
