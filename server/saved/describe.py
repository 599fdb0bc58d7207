"""What clients read about the catalogue: its JSON description (the page for people is server/pages/saved_pages.py)."""

from __future__ import annotations

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
