"""Example queries for the query editor: the saved-query catalogue when the server has one, else a few
built-in questions. Saved queries are shown bound to their example parameters, so each tab runs as is."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from core.call import prepare_call

SAVED_QUERIES_EXTENSION = "morocco_kg_saved_queries"


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    summary: str
    query: str


def builtin_examples(prefixes: dict[str, str]) -> list[Example]:
    """Three questions that run on any build of this graph (``mdk:`` the ontology, ``kg:`` the entities)."""
    head = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())
    mdk, entity = prefixes.get("mdk", ""), prefixes.get("kg", "")
    return [
        Example(
            "classes",
            "How many entities of each class",
            f"{head}SELECT ?class (COUNT(DISTINCT ?entity) AS ?entities) WHERE {{\n"
            f'  ?entity a ?class . FILTER(STRSTARTS(STR(?class), "{mdk}"))\n'
            "} GROUP BY ?class ORDER BY DESC(?entities)",
        ),
        Example(
            "jazari",
            "The Jazari institutes, their cities and themes",
            f"{head}SELECT ?institute ?city ?theme WHERE {{\n"
            f"  ?i mdk:partOf <{entity}jazari-institutes-network> ; a mdk:Institute ; mdk:locatedIn ?c ;\n"
            "     mdk:specialisedIn ?t .\n"
            "  ?c a mdk:City . ?i rdfs:label ?institute . ?c rdfs:label ?city . ?t rdfs:label ?theme .\n"
            '  FILTER(LANG(?institute) = "en" && LANG(?city) = "en" && LANG(?theme) = "en")\n'
            "} ORDER BY ?city ?theme",
        ),
        Example(
            "figures",
            "Every figure with its value and unit",
            f"{head}SELECT ?figure ?value ?unit WHERE {{\n"
            "  ?f a mdk:Figure ; mdk:value ?value ; mdk:unit ?u ; rdfs:label ?figure . ?u rdfs:label ?unit .\n"
            '  FILTER(LANG(?figure) = "en" && LANG(?unit) = "en")\n'
            "} ORDER BY DESC(?value)",
        ),
    ]


def _saved(app: Flask, max_rows: int, lang: str) -> list[Example] | None:
    catalogue = app.extensions.get(SAVED_QUERIES_EXTENSION)
    if catalogue is None:
        return None
    examples = []
    for saved in catalogue:
        try:
            values = {name: [value] for name, value in saved.example_values().items()}
            if saved.parameter("lang") is not None and "lang" not in values:
                values["lang"] = [lang]  # labels in the interface's language
            text = prepare_call(saved, values, max_rows).query
        except Exception:  # an entry that cannot be bound is left out of the editor, not fatal to the page
            continue
        examples.append(Example(saved.name, saved.summary, _without_decorators(text, saved.summary)))
    return examples or None


def _without_decorators(text: str, summary: str) -> str:
    """The query without its ``#+`` metadata lines (the catalogue shows them), headed by its summary."""
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#+"))
    return f"# {summary}\n{body.lstrip()}"


def examples(app: Flask, prefixes: dict[str, str], max_rows: int, lang: str = "en") -> list[Example]:
    return _saved(app, max_rows, lang) or builtin_examples(prefixes)
