"""What clients read about the catalogue: a JSON description and an HTML page for browsers."""

from __future__ import annotations

from html import escape

from core.catalogue import Catalogue, SavedQuery
from core.parameters import Parameter


def parameter_description(parameter: Parameter) -> dict[str, object]:
    return {
        "name": parameter.name,
        "required": parameter.required and parameter.default is None,
        "type": parameter.kind,
        "language": parameter.language,
        "datatype": parameter.datatype,
        "enum": list(parameter.enum) or None,
        "default": parameter.default,
        "example": parameter.example,
        "description": parameter.description or None,
        "expects": parameter.expects,
    }


def query_description(saved: SavedQuery, root: str) -> dict[str, object]:
    """One catalogue entry; ``root`` is the server's URL, ending with ``/``."""
    return {
        "name": saved.name,
        "summary": saved.summary,
        "description": saved.description or None,
        "tags": list(saved.tags),
        "form": saved.form,
        "method": saved.method,
        "pagination": saved.pagination,
        "url": f"{root}queries/{saved.name}",
        "example": root + saved.example_path().lstrip("/"),
        "parameters": [parameter_description(p) for p in saved.parameters],
    }


def catalogue_description(catalogue: Catalogue, root: str) -> dict[str, object]:
    return {
        "queries": [query_description(saved, root) for saved in catalogue],
        "openapi": f"{root}openapi.json",
    }


def catalogue_page(catalogue: Catalogue, root: str, title: str) -> str:
    """A plain HTML listing: summary, tags, parameters and a link that runs the example call."""
    rows = "\n".join(_row(saved, root) for saved in catalogue)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}: saved queries</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:75em}}td,th{{vertical-align:top;padding:.4em;
border-bottom:1px solid #ddd;text-align:left}}code{{font-size:90%}}</style></head>
<body><h1>Saved queries</h1>
<p>{len(catalogue)} questions this graph answers. Each runs at <code>/queries/NAME</code> with the parameters shown;
answers are negotiated like <a href="{escape(root)}sparql">/sparql</a> (JSON, CSV, TSV, XML...).
Machine-readable: <a href="{escape(root)}queries?format=json">JSON</a>,
<a href="{escape(root)}openapi.json">OpenAPI</a>.</p>
<table><tr><th>query</th><th>what it answers</th><th>parameters</th></tr>
{rows}
</table></body></html>
"""


def _row(saved: SavedQuery, root: str) -> str:
    example = root + saved.example_path().lstrip("/")
    tags = " ".join(f"<em>{escape(tag)}</em>" for tag in saved.tags)
    parameters = "<br>".join(_parameter(p) for p in saved.parameters) or "none"
    return (
        f'<tr><td><a href="{escape(example)}"><code>{escape(saved.name)}</code></a></td>'
        f"<td>{escape(saved.summary)}<br>{tags}</td><td>{parameters}</td></tr>"
    )


def _parameter(parameter: Parameter) -> str:
    required = "required" if parameter.required and parameter.default is None else "optional"
    return f"<code>{escape(parameter.name)}</code> ({required}): {escape(parameter.expects)}"
