"""Reading a SPARQL 1.1 Protocol query request: the query text and the dataset it names.

Three ways to send a query are accepted (GET ``?query=``, a form POST, a direct
``application/sparql-query`` POST), exactly one query per request. Update requests are refused: this is a
read-only endpoint. ``default-graph-uri`` and ``named-graph-uri`` only select among the graphs the store
already holds; nothing is ever fetched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Request
from werkzeug.datastructures import MultiDict

from server.errors import bad_request, read_only, unsupported_media_type

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\]*")


@dataclass(frozen=True, slots=True)
class QueryRequest:
    """One query and its dataset; ``None`` graph lists mean "the server's default dataset"."""

    query: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    parameters: dict[str, str]


def read_query_request(request: Request) -> QueryRequest | None:
    """Extract the query of ``request``; ``None`` when it carries none (a service description request)."""
    if request.method == "GET":
        return _from_parameters(request.args, request.args, body_query=None)
    mimetype = request.mimetype.lower()
    if mimetype == FORM:
        form = request.form
        return _from_parameters(_merge(request.args, form), request.args, body_query=None, required=True)
    if mimetype == DIRECT_QUERY:
        return _from_parameters(request.args, request.args, body_query=_direct_body(request))
    if mimetype == DIRECT_UPDATE:
        raise read_only()
    if not mimetype:
        raise unsupported_media_type(f"a POST needs a Content-Type: {FORM} or {DIRECT_QUERY}")
    raise unsupported_media_type(f"unsupported Content-Type {mimetype!r}: use {FORM} or {DIRECT_QUERY}")


def _merge(first: MultiDict[str, str], second: MultiDict[str, str]) -> MultiDict[str, str]:
    merged: MultiDict[str, str] = MultiDict()
    for source in (first, second):
        for key, value in source.items(multi=True):
            merged.add(key, value)
    return merged


def _direct_body(request: Request) -> str:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise unsupported_media_type(f"queries must be encoded in UTF-8, not {charset}")
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_request(f"the query is not valid UTF-8: {error.reason} at byte {error.start}") from error


def _from_parameters(
    values: MultiDict[str, str], url: MultiDict[str, str], body_query: str | None, required: bool = False
) -> QueryRequest | None:
    if "update" in values or "using-graph-uri" in values or "using-named-graph-uri" in values:
        raise read_only()
    queries = values.getlist("query") + ([body_query] if body_query is not None else [])
    if not queries:
        if required or body_query is not None:
            raise bad_request("no query: send it in the 'query' parameter")
        return None
    if len(queries) > 1:
        raise bad_request("exactly one query per request: several 'query' values were sent")
    defaults = _graph_list(values, "default-graph-uri")
    named = _graph_list(values, "named-graph-uri")
    if defaults is not None or named is not None:
        defaults, named = defaults or (), named or ()
    parameters = {key: values.get(key, "") for key in ("format", "output", "results")}
    return QueryRequest(query=queries[0], default_graphs=defaults, named_graphs=named, parameters=parameters)


def _graph_list(values: MultiDict[str, str], name: str) -> tuple[str, ...] | None:
    iris = values.getlist(name)
    for iri in iris:
        if not _ABSOLUTE_IRI.fullmatch(iri):
            raise bad_request(f"{name} must be an absolute IRI, got {iri!r}")
    return tuple(iris) if iris else None
