"""What the views share: settings, dataset description and backend (pool or store), in ``app.extensions``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import Flask, current_app

from core.catalogue import Catalogue
from core.settings import Settings
from server.cache import CachingBackend
from server.dataset import DatasetInfo
from server.inline import InlineStore

EXTENSION_KEY = "morocco_kg"
COMMON_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",  # the namespace the ontology aligns to
}


@dataclass
class ServerState:
    """Shared, read-only after start-up (the backend synchronises itself); in remote mode ``info`` is
    replaced, as one reference, when the store is published to."""

    settings: Settings
    info: DatasetInfo
    backend: CachingBackend
    prefixes: dict[str, str] = field(default_factory=dict)
    # requests this HTTP worker answered on its event loop, by kind ("express", "replayed"; server.express),
    # and the express answers its own copy of the store gave ("inline")
    answered_on_loop: Counter[str] = field(default_factory=Counter)
    # the HTTP worker's copy of the store for one-pattern queries (server.inline); None where there is none
    inline: InlineStore | None = None
    # the pages' own queries (queries/pages/*.rq) by base IRI, read on first use (server.pages.store)
    page_queries: dict[str, Catalogue] = field(default_factory=dict)
    # ``prefixes`` as the one tuple every job holds: a cached answer's key then shares it, not a copy
    prefix_pairs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.prefixes:
            self.prefixes = dict(COMMON_PREFIXES)
            if self.info.base_iri:
                # the ontology's preferred prefix, and the one the dumps and the README use for entities
                self.prefixes["mdk"] = self.info.base_iri + "ontology/"
                self.prefixes["kg"] = self.info.base_iri + "id/"
        self.prefix_pairs = tuple(self.prefixes.items())


def attach_state(app: Flask, state: ServerState) -> None:
    app.extensions[EXTENSION_KEY] = state


def get_state(app: Flask | None = None) -> ServerState:
    """The state of ``app`` (the current application by default)."""
    return (app or current_app).extensions[EXTENSION_KEY]
