"""From a request path to the IRI it names, and from an IRI to the path that serves it.

The base IRI of the data (``void:uriSpace``) maps onto the server's root: ``BASE + local`` is served at
``/local`` wherever the server runs. A link may also name a serialisation by suffix (``.ttl``,
``.jsonld``, ``.nt``, ``.rdf``); because some IRIs contain dots themselves (fact IRIs do), the suffix is
only read as a format when the IRI without it is the one the store knows. Free of Flask and of I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from server.negotiation import GRAPH_FORMATS, Format

SUFFIXES: dict[str, Format] = {
    ".ttl": next(f for f in GRAPH_FORMATS if f.name == "TURTLE"),
    ".jsonld": next(f for f in GRAPH_FORMATS if f.name == "JSON_LD"),
    ".nt": next(f for f in GRAPH_FORMATS if f.name == "N_TRIPLES"),
    ".rdf": next(f for f in GRAPH_FORMATS if f.name == "RDF_XML"),
}
_UNSAFE = set('<>"{}|^`\\ \n\t\r')


@dataclass(frozen=True, slots=True)
class Target:
    """The IRI a path names, and the format its suffix asked for (``None``: negotiate)."""

    iri: str
    suffix_format: Format | None = None


def candidates(base_iri: str, local: str) -> list[Target]:
    """What ``/local`` may name, the literal reading first; empty when it cannot be an IRI."""
    if not base_iri or any(character in _UNSAFE for character in local):
        return []
    found = [Target(base_iri + local)]
    for suffix, fmt in SUFFIXES.items():
        if local.endswith(suffix) and len(local) > len(suffix):
            found.append(Target(base_iri + local[: -len(suffix)], fmt))
    return found


def resolve(base_iri: str, local: str, exists: Callable[[str], bool]) -> Target | None:
    """The first candidate the store knows, or ``None`` (a 404)."""
    return next((target for target in candidates(base_iri, local) if exists(target.iri)), None)


def local_path(base_iri: str, iri: str) -> str | None:
    """``/local`` for an IRI under the base, ``None`` for any other IRI (it is linked as it is)."""
    if base_iri and iri.startswith(base_iri) and len(iri) > len(base_iri):
        return "/" + iri[len(base_iri) :]
    return None
