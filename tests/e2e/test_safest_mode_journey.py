"""Tor Browser's "Safest" level: no JavaScript, and no SVG either (svg.disabled). A supporter
reading through Tor still gets every figure: the map and the chart of a petition's breakdown
are pictures with a text alternative, and each has its table; no page asks for a script."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, Route

from tests.e2e.helpers import Site

PETITION = "/petitions/free-anna-kavalchuk"
PUBLIC_PAGES = ["/", "/petitions", PETITION, f"{PETITION}/breakdown", "/letters", "/prisoners"]


@pytest.mark.parametrize("variant", ["no-js"])
def test_the_breakdown_gives_its_figures_as_tables_without_scripts_or_pictures(
    page: Page, site: Site, variant: str
) -> None:
    requested: list[str] = []

    def record(route: Route) -> None:
        requested.append(route.request.url)
        route.continue_()

    page.route("**/*", record)
    for path in PUBLIC_PAGES:
        page.goto(f"{site.url}{path}{'&' if '?' in path else '?'}lang=en")
        assert page.locator("script").count() == 0, path
    # Nothing came from anywhere but the site itself (no font, no CDN, no analytics).
    assert all(url.startswith(site.url) for url in requested), requested

    page.goto(f"{site.url}{PETITION}/breakdown?lang=en")
    # Each picture says what it shows in words, for a browser that draws no SVG.
    for picture in page.locator("main svg[role=img]").all():
        assert (picture.get_attribute("aria-label") or "").strip()
    by_country = page.locator("section[aria-labelledby=by-country-heading] table tbody tr")
    assert by_country.count() >= 1
    assert re.search(r"\d", by_country.first.inner_text())
    # The chart's table opens with a plain <details>, no script needed.
    page.get_by_text("As a table").click()
    by_day = page.locator("section[aria-labelledby=by-day-heading] table tbody tr")
    assert by_day.first.is_visible() and re.search(r"\d", by_day.first.inner_text())
