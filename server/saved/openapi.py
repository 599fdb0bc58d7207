"""The OpenAPI 3 description of the saved queries: one operation per query, real types, enums, examples.

Generated from the same :class:`~core.catalogue.Catalogue` that serves the queries, so the
document cannot drift from what the server accepts.
"""

from __future__ import annotations

from core.catalogue import Catalogue, SavedQuery
from core.parameters import LEXICAL, Parameter
from core.terms import XSD
from server.negotiation import GRAPH_FORMATS, RESULT_FORMATS

OPENAPI_VERSION = "3.0.3"
_IRI_PATTERN = r"^https?://[^\s<>\"{}|^`\\]+$"
_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_SPARQL_JSON = {
    "type": "object",
    "properties": {
        "head": {"type": "object", "properties": {"vars": {"type": "array", "items": {"type": "string"}}}},
        "results": {"type": "object", "properties": {"bindings": {"type": "array", "items": {"type": "object"}}}},
        "boolean": {"type": "boolean"},
    },
}


def openapi_document(catalogue: Catalogue, server_url: str, title: str, version: str) -> dict[str, object]:
    """The document for ``catalogue`` served at ``server_url`` (the site root, ending with ``/``)."""
    paths: dict[str, object] = {"/queries": _catalogue_path()}
    for saved in catalogue:
        paths[f"/queries/{saved.name}"] = _query_path(saved)
    tags = sorted({tag for saved in catalogue for tag in saved.tags})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{title}: saved queries",
            "version": version or "unversioned",
            "description": "Questions this knowledge graph answers, as typed operations. Parameters are bound "
            "as validated RDF terms; answers are negotiated by Accept or the format parameter, as on /sparql.",
        },
        "servers": [{"url": server_url.rstrip("/")}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
    }


def _catalogue_path() -> dict[str, object]:
    return {
        "get": {
            "operationId": "listSavedQueries",
            "summary": "The catalogue of saved queries",
            "responses": {
                "200": {
                    "description": "the catalogue",
                    "content": {"application/json": {"schema": {"type": "object"}}, "text/html": {}},
                }
            },
        }
    }


def _query_path(saved: SavedQuery) -> dict[str, object]:
    parameters = [_parameter(p) for p in saved.parameters]
    if saved.pagination:
        parameters.append(_page_parameter(saved.pagination))
    parameters.append(_format_parameter(saved))
    get = {
        "operationId": _operation_id(saved.name),
        "summary": saved.summary,
        "description": _description(saved),
        "tags": list(saved.tags),
        "parameters": parameters,
        "responses": _responses(saved),
    }
    post = {
        **get,
        "operationId": _operation_id(saved.name) + "Post",
        "summary": saved.summary + " (form POST, for long values)",
        "parameters": [_format_parameter(saved)],
        "requestBody": {
            "required": any(p.required and p.default is None for p in saved.parameters),
            "content": {"application/x-www-form-urlencoded": {"schema": _form_schema(saved)}},
        },
    }
    return {"get": get, "post": post}


def _operation_id(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part.capitalize() for part in rest)


def _description(saved: SavedQuery) -> str:
    lines = [saved.description] if saved.description else []
    lines.append(f"Example: `{saved.example_path()}`")
    if saved.pagination:
        lines.append(f"Paginated: {saved.pagination} rows per page; `Link` headers lead to the other pages.")
    return "\n\n".join(lines)


def _schema(parameter: Parameter) -> dict[str, object]:
    if parameter.kind == "iri":
        schema: dict[str, object] = {"type": "string", "format": "uri", "pattern": _IRI_PATTERN}
    elif parameter.kind == "number":
        schema = {"type": "number"}
    else:
        schema = dict(LEXICAL[parameter.kind].schema)
    if schema["type"] == "string":
        schema["maxLength"] = parameter.max_length
    if parameter.enum:
        schema["enum"] = [_typed(parameter, value) for value in parameter.enum]
    if parameter.default is not None:
        schema["default"] = _typed(parameter, parameter.default)
    return schema


def _typed(parameter: Parameter, value: str) -> object:
    """Enum, default and example values in the JSON type the schema declares."""
    kind = parameter.kind
    if kind == "integer":
        return int(value)
    if kind in ("decimal", "number"):
        return float(value) if "." in value else int(value)
    if kind == "boolean":
        return value == "true"
    return value


def _parameter(parameter: Parameter) -> dict[str, object]:
    description = parameter.description or f"Expects {parameter.expects}."
    if parameter.datatype and parameter.datatype != XSD + "string":
        description += f" Bound as a literal of datatype <{parameter.datatype}>."
    if parameter.language:
        description += f" Bound as a literal in language '{parameter.language}'."
    entry: dict[str, object] = {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required and parameter.default is None,
        "description": description,
        "schema": _schema(parameter),
    }
    example = parameter.example or parameter.default or (parameter.enum[0] if parameter.enum else None)
    if example is not None:
        entry["example"] = _typed(parameter, example)
    return entry


def _page_parameter(size: int) -> dict[str, object]:
    return {
        "name": "page",
        "in": "query",
        "required": False,
        "description": f"Page number, {size} rows per page.",
        "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
    }


def _format_parameter(saved: SavedQuery) -> dict[str, object]:
    formats = RESULT_FORMATS if saved.form in ("select", "ask") else GRAPH_FORMATS
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "Answer format, instead of the Accept header.",
        "schema": {"type": "string", "enum": [f.keys[0] for f in formats]},
    }


def _form_schema(saved: SavedQuery) -> dict[str, object]:
    properties: dict[str, object] = {p.name: _schema(p) for p in saved.parameters}
    if saved.pagination:
        properties["page"] = {"type": "integer", "minimum": 1}
    required = [p.name for p in saved.parameters if p.required and p.default is None]
    schema: dict[str, object] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _responses(saved: SavedQuery) -> dict[str, object]:
    if saved.form in ("select", "ask"):
        content: dict[str, object] = {RESULT_FORMATS[0].media_type: {"schema": _SPARQL_JSON}}
        content.update({f.media_type: {"schema": {"type": "string"}} for f in RESULT_FORMATS[1:]})
    else:
        content = {f.media_type: {"schema": {"type": "string"}} for f in GRAPH_FORMATS}
    return {
        "200": {"description": "the answer, in the negotiated format", "content": content},
        "400": {
            "description": "a parameter is missing or does not fit its type (the message names it)",
            "content": _TEXT,
        },
        "406": {"description": "no acceptable format", "content": _TEXT},
        "503": {"description": "past the deadline, or the server is busy; retry after Retry-After", "content": _TEXT},
    }
