"""The home page's model: counts, the themes the interview talks about most, and the places it names."""

from __future__ import annotations

from dataclasses import dataclass, replace

from server.pages import geo
from server.pages.index import Index
from server.pages.links import Linker, Shown
from server.pages.store import page_query, select
from server.state import ServerState


@dataclass(frozen=True, slots=True)
class Counted:
    shown: Shown
    count: int


@dataclass(frozen=True, slots=True)
class MapPlace:
    shown: Shown
    x: float
    y: float
    count: int
    left: bool = False
    label_y: float = 0.0


@dataclass
class Home:
    counts: dict[str, int]
    classes: list[Counted]
    themes: list[Counted]
    places: list[Counted]
    map_places: list[MapPlace]
    outline: str
    map_width: int
    map_height: float
    documents: list[Shown]


def _counts(state: ServerState, index: Index) -> dict[str, int]:
    row = select(state, page_query(state, "home-counts"))[0]
    entities = sum(1 for iri in index.labels if iri.startswith(index.base_iri + "id/"))
    return {
        "triples": state.info.triples,
        "graphs": len(state.info.graphs),
        "entities": entities,
        "facts": int(row["facts"].value),
        "quotes": int(row["quotes"].value),
    }


def _classes(state: ServerState, linker: Linker) -> list[Counted]:
    rows = select(state, page_query(state, "home-classes"))
    return [Counted(linker.iri(r["class"].value), int(r["n"].value)) for r in rows]


def _mentions(state: ServerState, linker: Linker, query_name: str) -> list[Counted]:
    """Entities (places: home-places; themes: home-themes) by the number of facts that point at them."""
    rows = select(state, page_query(state, query_name))
    return [Counted(linker.iri(r["e"].value), int(r["n"].value)) for r in rows]


LABEL_HEIGHT = 13  # px of the map's 11px labels, with their halo
LABEL_WIDTH = 70


def _spread_labels(places: list[MapPlace]) -> list[MapPlace]:
    """Each label on its own line: one that would overlap a label above it moves down (Taghazout and Agadir)."""
    placed: list[MapPlace] = []
    for place in sorted(places, key=lambda p: p.y):
        y = place.y + 4
        for other in placed:
            if abs(other.x - place.x) < LABEL_WIDTH and y - other.label_y < LABEL_HEIGHT:
                y = other.label_y + LABEL_HEIGHT
        placed.append(replace(place, label_y=round(y, 1)))
    return placed


def _coordinates(state: ServerState) -> dict[str, tuple[float, float]]:
    """WGS84 latitude and longitude of every place that has them (from the outside links)."""
    rows = select(state, page_query(state, "home-coordinates"))
    return {r["place"].value: (float(r["lat"].value), float(r["long"].value)) for r in rows}


def build_home(state: ServerState, index: Index, lang: str) -> Home:
    linker = Linker(index, lang)
    places = _mentions(state, linker, "home-places")
    coordinates = _coordinates(state)
    map_places = []
    for place in places:
        slug = (place.shown.iri or "").rsplit("/", 1)[-1]
        where = coordinates.get(place.shown.iri or "")
        point = geo.position(*where) if where else None
        if point is not None:
            map_places.append(MapPlace(place.shown, point.x, point.y, place.count, geo.label_left(slug)))
    map_places = _spread_labels(map_places)
    documents = [linker.iri(r["d"].value) for r in select(state, page_query(state, "home-documents"))]
    return Home(
        counts=_counts(state, index),
        classes=_classes(state, linker),
        themes=_mentions(state, linker, "home-themes")[:30],
        places=places,
        map_places=map_places,
        outline=geo.outline_path(),
        map_width=geo.WIDTH,
        map_height=geo.height(),
        documents=documents,
    )
