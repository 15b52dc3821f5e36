"""A world map drawn on the server as SVG, each country shaded by a count: no JavaScript, no
tiles, nothing loaded from another site. The outlines are Natural Earth's (public domain),
shipped in static/map/countries-110m.json and built once by tools/world_map.py."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup, escape

from campaign.core.countries import country_name
from campaign.core.settings import PROJECT_DIR

OUTLINES = PROJECT_DIR / "static" / "map" / "countries-110m.json"
# Light to dark (ColorBrewer's sequential "Blues"), one shade per power of ten: 1–9, 10–99, …
SHADES = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_COUNT = "#e4e2db"


@dataclass(frozen=True)
class Step:
    """One shade of the legend: counts from `low` to `high` (None: and more)."""

    colour: str
    low: int
    high: int | None


def _step_of(count: int) -> int:
    return min(len(str(count)) - 1, len(SHADES) - 1)


def legend(counts: Mapping[str, int]) -> list[Step]:
    """The shades the map uses, up to the one of the largest count."""
    top = _step_of(max(counts.values(), default=1))
    return [
        Step(SHADES[n], 10**n, None if n == len(SHADES) - 1 else 10 ** (n + 1) - 1)
        for n in range(top + 1)
    ]


@cache
def _outlines() -> tuple[float, float, dict[str, str]]:
    data = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return float(data["width"]), float(data["height"]), dict(data["paths"])


def country_map(counts: Mapping[str, int], *, label: str) -> Markup:
    """The world with each country of `counts` (ISO 3166 alpha-2 codes) shaded by its count,
    named by `label`; each shaded country is titled with its name and count. Countries too small
    for the outlines are left to the table that goes with the map."""
    width, height, paths = _outlines()
    blank = "".join(d for code, d in paths.items() if counts.get(code, 0) <= 0)
    parts = [
        f'<svg class="world-map" viewBox="0 0 {width:g} {height:g}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f'<g stroke="#ffffff" stroke-width=".5"><path fill="{NO_COUNT}" d="{blank}"/>',
    ]
    for code, count in sorted(counts.items(), key=lambda item: item[1]):
        if count > 0 and code in paths:
            name = escape(country_name(code))
            parts.append(
                f'<path fill="{SHADES[_step_of(count)]}" d="{paths[code]}" data-country="{code}">'
                f"<title>{name}: {count}</title></path>"
            )
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704 - outlines are ours, codes are keys of them, names escaped
