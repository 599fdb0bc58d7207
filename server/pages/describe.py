"""The model of a resource page: what the store says about one IRI, both ways, with the quotes.

Each statement keeps the graphs it comes from, so a page can tell what the source states (a facts graph,
with its quotes) from what the reasoner inferred (the inferences graph) and from naming (labels, types).
Facts are reified in the provenance graph; the quotes of a statement are found through its ``mdk:Fact``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.pages.index import Index, QuoteInfo
from server.pages.links import Linker, Shown
from server.pages.store import Row, iri, page_query, select
from server.pages.terms import DCT, OWL, PROV, RDF_TYPE, RDFS, SKOS, Term
from server.state import ServerState

NAMING = {RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", RDF_TYPE}
NOTES = (RDFS + "comment", SKOS + "definition", DCT + "description", SKOS + "scopeNote")
MAX_NEIGHBOURS = 40


@dataclass
class Statement:
    """One predicate-object (or subject-predicate) pair and where it comes from."""

    predicate: Shown
    other: Shown
    graphs: set[str] = field(default_factory=set)
    facts: set[str] = field(default_factory=set)
    quotes: list[QuoteInfo] = field(default_factory=list)
    according_to: list[Shown] = field(default_factory=list)
    evidence: list[Shown] = field(default_factory=list)
    repeated: set[str] = field(default_factory=set)  # quotes already shown in full higher on the page

    @property
    def inferred_only(self) -> bool:
        return bool(self.graphs) and all(g.endswith("/graph/inferences") for g in self.graphs)


@dataclass
class FigureView:
    """A quantity with its unit, as the source states it."""

    figure: Shown
    value: str
    unit: Shown | None
    year: str | None
    stated_as: str | None
    approximate: bool


@dataclass
class ResourcePage:
    """Everything a resource template shows."""

    iri: str
    title: str
    title_lang: str
    labels: list[tuple[str, str]]
    alt_labels: list[tuple[str, str]]
    types: list[Shown]
    notes: list[Term]
    outgoing: list[Statement]
    incoming: list[Statement]
    figures: list[FigureView]
    neighbourhood: dict[str, object]
    family: str

    @property
    def stated(self) -> list[Statement]:
        return [s for s in self.outgoing if not s.inferred_only]

    @property
    def inferred(self) -> list[Statement]:
        return [s for s in self.outgoing if s.inferred_only]

    @property
    def quotes(self) -> list[QuoteInfo]:
        seen: dict[str, QuoteInfo] = {}
        for statement in (*self.outgoing, *self.incoming):
            for quote in statement.quotes:
                seen.setdefault(quote.iri, quote)
        return sorted(seen.values(), key=lambda q: (q.begin or 0, q.end or 0))


def _collect(rows: list[Row], other_key: str, index: Index, linker: Linker, skip: set[str]) -> list[Statement]:
    statements: dict[tuple[str, Term], Statement] = {}
    for row in rows:
        predicate, other = row["p"].value, row[other_key]
        if predicate in skip or predicate in NOTES or (other.kind == "bnode" and other_key == "s"):
            continue  # a blank node pointing here is an RDF list cell or an OWL expression: shown from its owner
        key = (predicate, other)
        statement = statements.get(key)
        if statement is None:
            statement = statements[key] = Statement(linker.iri(predicate), linker.term(other))
        statement.graphs.add(row["g"].value)
        if "fact" in row:
            statement.facts.add(row["fact"].value)
        for column, shown in (("who", statement.according_to), ("evidence", statement.evidence)):
            if column in row and all(s.iri != row[column].value for s in shown):
                shown.append(linker.iri(row[column].value))
        quote = index.quotes.get(row["quote"].value) if "quote" in row else None
        if quote is not None and quote not in statement.quotes:
            statement.quotes.append(quote)
    for statement in statements.values():
        statement.quotes.sort(key=lambda q: q.begin or 0)
    kept = _in_reader_language(list(statements.values()), linker.lang)
    return sorted(kept, key=lambda s: (s.predicate.text.casefold(), s.other.text.casefold()))


def _in_reader_language(statements: list[Statement], lang: str) -> list[Statement]:
    """Text stated in both languages is shown once, in the reader's; text in one language only is kept."""
    in_lang = {s.predicate.iri for s in statements if s.other.lang == lang}
    return [s for s in statements if not s.other.lang or s.other.lang == lang or s.predicate.iri not in in_lang]


def _figures(state: ServerState, subject: str, index: Index, linker: Linker) -> list[FigureView]:
    figures = []
    for row in select(state, page_query(state, "resource-figures", resource=subject)):
        unit = row.get("unit")
        figures.append(
            FigureView(
                figure=linker.iri(row["fig"].value),
                value=row["value"].display(),
                unit=linker.term(unit) if unit else None,
                year=row["year"].value if "year" in row else None,
                stated_as=row["stated"].value if "stated" in row else None,
                approximate="approx" in row and row["approx"].value == "true",
            )
        )
    return figures


def _neighbourhood(
    state: ServerState, page_iri: str, statements: list[tuple[str, list[Statement]]], index: Index, linker: Linker
) -> dict[str, object]:
    """Nodes and edges around the resource (entities only), for the interactive picture."""
    entity_space = index.base_iri + "id/"
    centre = linker.iri(page_iri)
    nodes = {
        page_iri: {"id": page_iri, "label": centre.text, "href": centre.href, "family": centre.family, "centre": True}
    }
    edges: list[dict[str, object]] = []
    for direction, group in statements:
        for statement in group:
            other = statement.other.iri
            if other is None or not other.startswith(entity_space) or statement.inferred_only:
                continue
            if other not in nodes and len(nodes) > MAX_NEIGHBOURS:
                continue
            nodes.setdefault(
                other,
                {
                    "id": other,
                    "label": statement.other.text,
                    "href": statement.other.href,
                    "family": statement.other.family,
                },
            )
            source, target = (page_iri, other) if direction == "out" else (other, page_iri)
            edges.append({"source": source, "target": target, "label": statement.predicate.text})
    around = [n for n in nodes if n != page_iri]
    if around:
        values = " ".join(iri(n) for n in around)
        query = f"""SELECT DISTINCT ?a ?p ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }}
          GRAPH ?g {{ ?a ?p ?b }} FILTER(STRSTARTS(STR(?g), "{index.base_iri}graph/facts/")) }} LIMIT 200"""
        for row in select(state, query):
            edges.append(
                {
                    "source": row["a"].value,
                    "target": row["b"].value,
                    "label": linker.iri(row["p"].value).text,
                    "secondary": True,
                }
            )
    return {"nodes": list(nodes.values()), "edges": _merge_parallel(edges)}


def _merge_parallel(edges: list[dict[str, object]]) -> list[dict[str, object]]:
    """One line per pair of nodes, its labels joined, so that parallel links do not print on each other."""
    merged: dict[frozenset[object], dict[str, object]] = {}
    for edge in edges:
        key = frozenset((edge["source"], edge["target"]))
        kept = merged.setdefault(key, dict(edge))
        if kept is not edge and edge["label"] not in str(kept["label"]).split(", "):
            kept["label"] = f"{kept['label']}, {edge['label']}"
            kept["secondary"] = bool(kept.get("secondary")) and bool(edge.get("secondary"))
    return list(merged.values())


def _name_class_expressions(state: ServerState, page_iri: str, statements: list[Statement], linker: Linker) -> None:
    """``rdfs:domain [ owl:unionOf (mdk:Agent mdk:Place) ]`` shown as "agent or place", not a blank node's id."""
    if not any(s.other.family == "literal" and s.other.iri is None and not s.other.lang for s in statements):
        return
    query = page_query(state, "class-expressions", resource=page_iri)
    members: dict[str, list[str]] = {}
    operators: dict[str, str] = {}
    for row in select(state, query):
        members.setdefault(row["b"].value, []).append(linker.iri(row["m"].value).text)
        operators[row["b"].value] = row["op"].value
    for statement in statements:
        node = statement.other.text
        if node in members:
            union = operators[node] == OWL + "unionOf"
            word = (
                (" or " if linker.lang == "en" else " ou ") if union else (" and " if linker.lang == "en" else " et ")
            )
            statement.other = Shown(word.join(sorted(members[node])), None, linker.lang, "literal")


def _mark_repeated(statements: list[Statement]) -> None:
    """A quote supporting several statements is shown in full once; later statements point back to it."""
    seen: set[str] = set()
    for statement in statements:
        statement.repeated = {q.iri for q in statement.quotes if q.iri in seen}
        seen.update(q.iri for q in statement.quotes)


def describe_resource(state: ServerState, index: Index, page_iri: str, lang: str) -> ResourcePage:
    linker = Linker(index, lang)
    out_rows = select(state, page_query(state, "resource-out", resource=page_iri))
    outgoing = _collect(out_rows, "o", index, linker, NAMING)
    in_rows = select(state, page_query(state, "resource-in", resource=page_iri))
    incoming = _collect(in_rows, "s", index, linker, NAMING - {RDF_TYPE})  # a class lists its instances
    notes = sorted({row["o"] for row in out_rows if row["p"].value in NOTES}, key=lambda t: (t.lang != lang, t.value))
    types = [linker.iri(t) for t in index.mdk_types(page_iri)]
    if not types:
        types = [linker.iri(t) for t in sorted(index.types.get(page_iri, ())) if t.startswith((OWL, RDFS, PROV))]
    labels = sorted(index.labels.get(page_iri, {}).items(), key=lambda item: item[0] != lang)
    _name_class_expressions(state, page_iri, outgoing, linker)
    stated = [s for s in outgoing if not s.inferred_only]
    _mark_repeated([*stated, *incoming, *(s for s in outgoing if s.inferred_only)])  # the page's order
    return ResourcePage(
        iri=page_iri,
        title=index.label(page_iri, lang),
        title_lang=index.label_lang(page_iri, lang),
        labels=labels,
        alt_labels=sorted(index.alt_labels.get(page_iri, []), key=lambda item: (item[0] != lang, item[1])),
        types=types,
        notes=notes,
        outgoing=outgoing,
        incoming=incoming,
        figures=_figures(state, page_iri, index, linker),
        neighbourhood=_neighbourhood(state, page_iri, [("out", outgoing), ("in", incoming)], index, linker),
        family=index.kind(page_iri),
    )
