"""RDF terms as the pages handle them: parsed from SPARQL JSON results, comparable and hashable."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = RDF + "type"
NUMERIC = {XSD + name for name in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


@dataclass(frozen=True, slots=True)
class Term:
    """An IRI, a literal (with language or datatype) or a blank node."""

    kind: str  # "uri", "literal" or "bnode"
    value: str
    lang: str = ""
    datatype: str = ""

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def is_number(self) -> bool:
        return self.is_literal and self.datatype in NUMERIC

    def display(self) -> str:
        """The literal as a reader expects it: numbers grouped by thousands, other values as written."""
        if self.is_number:
            return format_number(self.value)
        return self.value


def from_json(binding: dict[str, str]) -> Term:
    """A term of a SPARQL 1.1 JSON results binding."""
    kind = binding["type"]
    if kind == "typed-literal":  # SPARQL JSON of older servers
        kind = "literal"
    return Term(kind, binding["value"], binding.get("xml:lang", ""), binding.get("datatype", ""))


def format_number(lexical: str) -> str:
    """``26000000000`` as ``26 000 000 000`` (thin spaces read the same in French and English)."""
    try:
        number = Decimal(lexical)
    except InvalidOperation:
        return lexical
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", "\u202f")
    return f"{number:,}".replace(",", "\u202f")


def local_name(iri: str) -> str:
    """The last segment of an IRI, a fallback label when the graph gives none."""
    for separator in ("#", "/"):
        _, found, tail = iri.rstrip("/").rpartition(separator)
        if found and tail:
            return tail
    return iri
