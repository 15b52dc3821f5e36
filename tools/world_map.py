"""Build static/map/countries-110m.json, the outlines the breakdown map draws, once, by hand.

    npm pack world-atlas && tar xzf world-atlas-*.tgz
    python tools/world_map.py package/countries-110m.json > static/map/countries-110m.json

world-atlas (ISC) is Natural Earth's 1:110m Admin 0 countries (public domain) as TopoJSON, in
degrees, keyed by ISO 3166-1 numeric codes. This decodes its arcs, projects them with the Equal
Earth projection (equal areas, so no country looks bigger than it is), rounds to a tenth of a
pixel and writes one SVG path per ISO 3166-1 alpha-2 code, the codes campaign/core/countries.py
and the tallies use. Antarctica is left out; Northern Cyprus and Somaliland are drawn with
Cyprus and Somalia, as ISO 3166 has them; Kosovo, which has no ISO code, is drawn unshaded.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from typing import Any

import pycountry

WIDTH = 1000.0
# Equal Earth (Šavrič, Patterson, Jenny 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
LEFT_OUT = {"010"}  # Antarctica
BY_NAME = {"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "XK"}


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def across_the_antimeridian(
    points: list[tuple[float, float]],
) -> list[list[tuple[float, float]]]:
    """A ring that crosses 180° (Russia's east, Fiji) made continuous, and drawn twice: once
    past each edge of the map, where the SVG's box cuts it off. Without this its lines would
    run the whole width of the map."""
    unwrapped = [points[0]]
    for lon, lat in points[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    lons = [lon for lon, _ in unwrapped]
    if max(lons) > 180:
        return [unwrapped, [(lon - 360, lat) for lon, lat in unwrapped]]
    if min(lons) < -180:
        return [unwrapped, [(lon + 360, lat) for lon, lat in unwrapped]]
    return [unwrapped]


def alpha_2(geometry: dict[str, Any]) -> str | None:
    code = geometry.get("id")
    if code in LEFT_OUT:
        return None
    if code is None:
        return BY_NAME[geometry["properties"]["name"]]
    return str(pycountry.countries.get(numeric=code).alpha_2)


def number(tenths: int) -> str:
    """Tenths of a pixel as the shortest SVG number: 12 → 1.2, 10 → 1, -3 → -.3."""
    text = f"{tenths / 10:.1f}".removesuffix(".0")
    return text.replace("0.", ".", 1) if text.lstrip("-").startswith("0.") else text


def main(source: str) -> None:
    topology = json.load(open(source, encoding="utf-8"))  # noqa: SIM115 - a one-shot script
    arcs = decode_arcs(topology)
    polygons: dict[str, list[list[tuple[float, float]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = alpha_2(geometry)
        if code is None:
            continue
        shapes = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for shape in shapes:
            for indexes in shape:
                for copy in across_the_antimeridian(ring(arcs, indexes)):
                    polygons.setdefault(code, []).append(
                        [equal_earth(lon, lat) for lon, lat in copy]
                    )
    ys = [y for rings in polygons.values() for r in rings for _, y in r]
    left, right = equal_earth(-180, 0)[0], equal_earth(180, 0)[0]
    scale = WIDTH / (right - left)
    top = max(ys)
    height = round((max(ys) - min(ys)) * scale, 1)

    def path(rings: list[list[tuple[float, float]]]) -> str:
        """Each ring as a move and lines relative to the last point, in tenths of a pixel."""
        parts = []
        for r in rings:
            tenths = [(round((x - left) * scale * 10), round((top - y) * scale * 10)) for x, y in r]
            points = [p for n, p in enumerate(tenths) if n == 0 or p != tenths[n - 1]]
            if len(points) < 3:
                continue
            steps = " ".join(
                f"{number(x1 - x0)} {number(y1 - y0)}"
                for (x0, y0), (x1, y1) in itertools.pairwise(points)
            )
            parts.append(f"M{number(points[0][0])} {number(points[0][1])}l{steps}z")
        return "".join(parts)

    paths = {code: path(rings) for code, rings in sorted(polygons.items())}
    json.dump(
        {
            "source": "Natural Earth 1:110m Admin 0 countries (public domain), via world-atlas 2",
            "projection": "Equal Earth",
            "width": WIDTH,
            "height": height,
            "paths": paths,
        },
        sys.stdout,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
