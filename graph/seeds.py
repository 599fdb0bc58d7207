"""Read the seed files (entities, documents, facts) into plain, located records.

This module checks the *shape* of the seed files (keys, kinds of values); whether the
names they use exist in the ontology, and whether quotes are verbatim, is checked when
the records are mapped to RDF (``graph.mapping``). Every record keeps its file and line.
"""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path
from typing import Any

from core.errors import BuildError, Problem
from graph.records import (
    CLAIM_KEYS,
    DATATYPES,
    DOCUMENT_KEYS,
    ENTITY_KEYS,
    FIGURE_KEYS,
    LANGUAGES,
    QUALIFIER_KEYS,
    ClaimSpec,
    DocumentSpec,
    EntityRef,
    EntitySpec,
    FactObject,
    FactSpec,
    FigureSpec,
    LangText,
    NotFactual,
    Seeds,
    TypedValue,
)
from graph.yamlines import LineDict, line_of, load_yaml


class _Collector:
    """Collects problems instead of stopping at the first, so one run lists them all."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: Path, line: int | None, reason: str) -> None:
        self.problems.append(Problem(file, line, reason))

    def unknown_keys(self, file: Path, node: LineDict, allowed: set[str], what: str) -> None:
        extra = sorted(set(node) - allowed)
        if extra:
            self.add(
                file,
                node.line,
                f"unknown key(s) {', '.join(map(str, extra))} in {what}; allowed: {', '.join(sorted(allowed))}",
            )


def load_seeds(seeds_dir: Path) -> Seeds:
    """Read every entity file and every document folder under ``seeds_dir``."""
    problems = _Collector()
    entities: list[EntitySpec] = []
    for path in sorted((seeds_dir / "entities").glob("*.yaml")):
        entities.extend(_read_entity_file(path, problems))
    documents = (
        [_read_document(folder, problems) for folder in sorted((seeds_dir / "documents").iterdir()) if folder.is_dir()]
        if (seeds_dir / "documents").is_dir()
        else []
    )
    if not documents:
        problems.add(seeds_dir / "documents", None, "no source document folder found")
    if problems.problems:
        raise BuildError(problems.problems)
    return Seeds(entities=entities, documents=[d for d in documents if d is not None])


def _read_entity_file(path: Path, problems: _Collector) -> list[EntitySpec]:
    data = _load(path, problems)
    if data is None:
        return []
    if not isinstance(data, list):
        problems.add(path, line_of(data, 1), "an entity file is a list of entities")
        return []
    return [e for node in data if (e := _entity(path, node, problems)) is not None]


def _load(path: Path, problems: _Collector) -> Any:
    try:
        return load_yaml(path)
    except BuildError as exc:
        problems.problems.extend(exc.problems)
        return None


def _lang_map(
    path: Path, node: Any, line: int | None, what: str, problems: _Collector, *, required: bool
) -> tuple[tuple[str, str], ...]:
    if node is None:
        if required:
            problems.add(path, line, f"{what} needs a French and an English text ({{fr: ..., en: ...}})")
        return ()
    if not isinstance(node, dict):
        problems.add(path, line, f"{what} must be a mapping of language to text, like {{fr: ..., en: ...}}")
        return ()
    pairs = []
    for lang, text in node.items():
        if lang not in LANGUAGES:
            problems.add(path, line_of(node, line), f"{what}: unknown language {lang!r} (use fr, en)")
        elif not isinstance(text, str | int | float) or not str(text).strip():
            problems.add(path, line_of(node, line), f"{what}.{lang} must be non-empty text")
        else:
            pairs.append((lang, str(text).strip()))
    if required:
        missing = [lang for lang in LANGUAGES if lang not in node]
        if missing:
            problems.add(path, line_of(node, line), f"{what} is missing language(s): {', '.join(missing)}")
    return tuple(sorted(pairs))


def _alt_labels(path: Path, node: Any, line: int | None, problems: _Collector) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    if not isinstance(node, dict):
        problems.add(path, line, "alt must map a language to a list of names")
        return ()
    pairs = []
    for lang, names in node.items():
        if lang not in LANGUAGES:
            problems.add(path, line_of(node, line), f"alt: unknown language {lang!r} (use fr, en)")
            continue
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            problems.add(path, line_of(node, line), f"alt.{lang} must be a list of names")
            continue
        pairs.extend((lang, n.strip()) for n in names)
    return tuple(sorted(set(pairs)))


def _entity(path: Path, node: Any, problems: _Collector) -> EntitySpec | None:
    if not isinstance(node, dict):
        problems.add(path, line_of(node), "an entity is a mapping with id, class and label")
        return None
    line = line_of(node)
    problems.unknown_keys(path, node, ENTITY_KEYS, "entity")
    entity_id = node.get("id")
    if not isinstance(entity_id, str) or not entity_id:
        problems.add(path, line, "entity without an id")
        return None
    classes = node.get("class")
    if isinstance(classes, str):
        classes = [classes]
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        problems.add(path, line, f"entity {entity_id!r} needs a class (a name or a list of names)")
        classes = []
    broader = node.get("broader")
    if broader is not None and not isinstance(broader, str):
        problems.add(path, line, f"entity {entity_id!r}: broader must be one entity id")
        broader = None
    return EntitySpec(
        file=path,
        line=line,
        id=entity_id,
        classes=tuple(classes),
        labels=_lang_map(path, node.get("label"), line, f"label of {entity_id!r}", problems, required=True),
        alt_labels=_alt_labels(path, node.get("alt"), line, problems),
        descriptions=_lang_map(
            path, node.get("description"), line, f"description of {entity_id!r}", problems, required=False
        ),
        broader=broader,
    )


def _figure(path: Path, node: Any, problems: _Collector) -> FigureSpec | None:
    if not isinstance(node, dict):
        problems.add(path, line_of(node), "a figure is a mapping with id, label, value and unit")
        return None
    line = line_of(node)
    problems.unknown_keys(path, node, FIGURE_KEYS, "figure")
    figure_id, value, unit = node.get("id"), node.get("value"), node.get("unit")
    if not isinstance(figure_id, str) or not figure_id:
        problems.add(path, line, "figure without an id")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        problems.add(path, line, f"figure {figure_id!r} needs a numeric value")
        return None
    try:
        lexical = str(decimal.Decimal(str(value)))
    except decimal.InvalidOperation:
        problems.add(path, line, f"figure {figure_id!r}: value {value!r} is not a number")
        return None
    if not isinstance(unit, str) or not unit:
        problems.add(path, line, f"figure {figure_id!r} needs a unit")
        return None
    year = node.get("year")
    approximate = node.get("approximate")
    if approximate is not None and not isinstance(approximate, bool):
        problems.add(path, line, f"figure {figure_id!r}: approximate must be true or false")
        approximate = None
    stated_as = node.get("stated_as")
    return FigureSpec(
        file=path,
        line=line,
        id=figure_id,
        labels=_lang_map(path, node.get("label"), line, f"label of {figure_id!r}", problems, required=True),
        value=lexical,
        unit=unit,
        year=None if year is None else str(year),
        approximate=approximate,
        stated_as=None if stated_as is None else str(stated_as),
        descriptions=_lang_map(
            path, node.get("description"), line, f"description of {figure_id!r}", problems, required=False
        ),
    )


def _fact_object(path: Path, line: int | None, node: Any, problems: _Collector) -> FactObject | None:
    if isinstance(node, bool):
        return TypedValue("true" if node else "false", "boolean")
    if isinstance(node, int):
        return TypedValue(str(node), "integer")
    if isinstance(node, float):
        return TypedValue(str(decimal.Decimal(str(node))), "decimal")
    if isinstance(node, str):
        return EntityRef(node)
    if isinstance(node, dict):
        keys = set(node)
        if keys and keys <= set(LANGUAGES):
            texts = _lang_map(path, node, line, "text", problems, required=False)
            return LangText(texts) if texts else None
        if len(keys) == 1 and next(iter(keys)) in DATATYPES:
            datatype, value = next(iter(node.items()))
            if isinstance(value, dt.date):
                value = value.isoformat()
            return TypedValue(str(value), datatype)
    problems.add(
        path,
        line,
        f"fact object {node!r} is neither an entity id, a number, "
        f"{{fr: ..., en: ...}} text, nor a typed value like {{gYear: 2030}} "
        f"(types: {', '.join(DATATYPES)})",
    )
    return None


def _fact(path: Path, node: Any, claim_line: int | None, problems: _Collector) -> FactSpec | None:
    line = line_of(node, claim_line)
    if not isinstance(node, list) or len(node) not in (3, 4):
        problems.add(
            path, line, "a fact is a list of three items, [subject, property, object], and optionally {qualifiers}"
        )
        return None
    subject, prop, obj = node[:3]
    qualifiers = _qualifiers(path, line, node[3] if len(node) == 4 else {}, problems)
    if not isinstance(subject, str) or not isinstance(prop, str):
        problems.add(path, line, "a fact's subject and property are names")
        return None
    fact_object = _fact_object(path, line, obj, problems)
    if fact_object is None:
        return None
    return FactSpec(file=path, line=line, subject=subject, property=prop, object=fact_object, **qualifiers)


def _qualifiers(path: Path, line: int | None, node: Any, problems: _Collector) -> dict[str, str]:
    """The fourth item of a fact: ``{evidence: ..., according_to: ..., field: ...}``, each a name."""
    if not isinstance(node, dict):
        problems.add(path, line, f"the fourth item of a fact is a mapping with {', '.join(sorted(QUALIFIER_KEYS))}")
        return {}
    extra = sorted(set(node) - QUALIFIER_KEYS)
    if extra:
        problems.add(
            path,
            line,
            f"unknown fact qualifier(s) {', '.join(map(str, extra))}; allowed: {', '.join(sorted(QUALIFIER_KEYS))}",
        )
    found = {}
    for key in sorted(QUALIFIER_KEYS & set(node)):
        if not isinstance(node[key], str) or not node[key]:
            problems.add(path, line, f"fact qualifier {key} must be a name")
        else:
            found[key] = node[key]
    return found


def _claim(path: Path, node: Any, default_paragraph: int | None, problems: _Collector) -> ClaimSpec | None:
    if not isinstance(node, dict):
        problems.add(path, line_of(node), "a claim is a mapping with a quote and facts")
        return None
    line = line_of(node)
    problems.unknown_keys(path, node, CLAIM_KEYS, "claim")
    quote = node.get("quote")
    if not isinstance(quote, str) or not quote.strip():
        problems.add(path, line, "claim without a quote")
        return None
    paragraph = node.get("paragraph", default_paragraph)
    occurrence = node.get("occurrence")
    for name, number in (("paragraph", paragraph), ("occurrence", occurrence)):
        if number is not None and (not isinstance(number, int) or isinstance(number, bool) or number < 1):
            problems.add(path, line, f"{name} must be a positive whole number")
    facts = [f for f in (_fact(path, n, line, problems) for n in node.get("facts") or []) if f]
    entities = [e for e in (_entity(path, n, problems) for n in node.get("entities") or []) if e]
    figures = [f for f in (_figure(path, n, problems) for n in node.get("figures") or []) if f]
    if not facts and not entities and not figures:
        problems.add(path, line, "claim states nothing: give facts, entities or figures")
    names = {}
    for key in ("evidence", "according_to"):
        value = node.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            problems.add(path, line, f"claim {key} must be a name")
        elif value is not None:
            names[key] = value
    return ClaimSpec(
        file=path,
        line=line,
        quote=quote,
        paragraph=paragraph,
        occurrence=occurrence,
        facts=tuple(facts),
        entities=tuple(entities),
        figures=tuple(figures),
        **names,
    )


def _read_facts_file(path: Path, problems: _Collector) -> list[ClaimSpec]:
    data = _load(path, problems)
    if data is None:
        return []
    if not isinstance(data, dict) or "claims" not in data:
        problems.add(path, line_of(data, 1), "a facts file is a mapping with 'claims' (and optionally 'paragraph')")
        return []
    problems.unknown_keys(path, data, {"paragraph", "claims"}, "facts file")
    paragraph = data.get("paragraph")
    return [c for c in (_claim(path, n, paragraph, problems) for n in data["claims"] or []) if c]


def _read_document(folder: Path, problems: _Collector) -> DocumentSpec | None:
    meta_path = folder / "document.yaml"
    if not meta_path.exists():
        problems.add(meta_path, None, "document folder without document.yaml")
        return None
    meta = _load(meta_path, problems)
    if not isinstance(meta, dict):
        if meta is not None:
            problems.add(meta_path, 1, "document.yaml must be a mapping")
        return None
    problems.unknown_keys(meta_path, meta, DOCUMENT_KEYS, "document")
    for key in ("id", "text", "title", "language", "kind"):
        if not isinstance(meta.get(key), str):
            problems.add(meta_path, meta.line, f"document needs '{key}' (text)")
    if problems.problems:
        return None
    text_file = folder / meta["text"]
    try:
        text = text_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(text_file, None, f"cannot read source text: {exc}")
        return None
    speakers: dict[int, str] = {}
    for speaker, lines in (meta.get("speakers") or {}).items():
        for number in lines or []:
            if number in speakers:
                problems.add(meta_path, line_of(lines), f"paragraph {number} has two speakers")
            speakers[number] = speaker
    not_factual = []
    for node in meta.get("not_factual") or []:
        if (
            not isinstance(node, dict)
            or not isinstance(node.get("sentence"), str)
            or not isinstance(node.get("reason"), str)
        ):
            problems.add(meta_path, line_of(node, meta.line), "not_factual entries need 'sentence' and 'reason'")
            continue
        not_factual.append(
            NotFactual(file=meta_path, line=line_of(node), sentence=node["sentence"], reason=node["reason"])
        )
    document = DocumentSpec(
        file=meta_path,
        line=meta.line,
        id=meta["id"],
        directory=folder,
        text_file=text_file,
        text=text,
        title=meta["title"],
        language=meta["language"],
        kind=meta["kind"],
        publisher=meta.get("publisher"),
        interviewer=meta.get("interviewer"),
        interviewee=meta.get("interviewee"),
        speakers=speakers,
        not_factual=not_factual,
    )
    facts_dir = folder / "facts"
    for path in sorted(facts_dir.glob("*.yaml")) if facts_dir.is_dir() else []:
        document.claims.extend(_read_facts_file(path, problems))
    return document
