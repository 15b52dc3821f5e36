"""The world map drawn on the server: each country shaded by its count's power of ten, a legend
of the shades used, outlines shipped with the app."""

from __future__ import annotations

import re

from campaign.core.worldmap import NO_COUNT, SHADES, Step, country_map, legend


def fills(svg: str) -> dict[str, str]:
    return {
        code: fill
        for fill, code in re.findall(
            r'<path fill="(#[0-9a-f]{6})" d="[^"]+" data-country="(\w\w)">', svg
        )
    }


def test_each_power_of_ten_has_its_shade_and_the_largest_counts_share_the_darkest() -> None:
    svg = country_map(
        {"LT": 1, "PL": 9, "DE": 10, "BY": 250, "UA": 1000, "US": 10_000, "RU": 2_000_000},
        label="Map",
    )
    assert fills(svg) == {
        "LT": SHADES[0],
        "PL": SHADES[0],
        "DE": SHADES[1],
        "BY": SHADES[2],
        "UA": SHADES[3],
        "US": SHADES[4],
        "RU": SHADES[4],
    }


def test_countries_without_signatures_or_outlines_are_not_shaded() -> None:
    svg = country_map({"FR": 0, "MT": 3, "BY": 2}, label="Map")
    assert fills(svg) == {"BY": SHADES[0]}  # Malta is too small for the 1:110m outlines
    assert svg.count(f'fill="{NO_COUNT}"') == 1  # every other country in one path
    assert svg.startswith('<svg class="world-map" viewBox="0 0 1000 ')


def test_the_label_and_names_are_escaped() -> None:
    svg = country_map({"BY": 1}, label='Map "<script>"')
    assert 'aria-label="Map &#34;&lt;script&gt;&#34;"' in svg
    assert "<script>" not in svg


def test_the_legend_lists_the_shades_up_to_the_largest_count() -> None:
    assert legend({}) == [Step(SHADES[0], 1, 9)]
    assert legend({"BY": 3, "PL": 120}) == [
        Step(SHADES[0], 1, 9),
        Step(SHADES[1], 10, 99),
        Step(SHADES[2], 100, 999),
    ]
    assert legend({"BY": 99_999})[-1] == Step(SHADES[4], 10_000, None)
