"""Journey: a visitor reading Belarusian finds a petition on /petitions by searching, filtering
and sorting, pages through the results, opens the petition and reads where its signatures come
from (the map and the table), on a phone and with JavaScript off too."""

from __future__ import annotations

import json
import re
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from campaign.accounts.models import Organisation
from campaign.content.service import save_version
from campaign.core.countries import country_name
from campaign.core.db import make_engine, transaction, utcnow
from campaign.petitions.models import Petition, PetitionStatus
from tests.e2e.helpers import SCRIPTS_OFF, Site, assert_accessible

DEMO = "free-anna-kavalchuk"  # its Belarusian summary says it is about Гродна
EXTRAS = 22  # with the demo petition, one page and a bit more


@pytest.fixture(scope="module")
def hrodna(site: Site) -> None:
    """More open petitions about Hrodna, each ending sooner than the last, one closed and one
    won: enough to page through."""
    engine = make_engine(site.database_url)
    now = utcnow()
    try:
        with transaction(engine) as session:
            organisation_id = session.exec(select(Organisation.id)).first()
            assert organisation_id is not None
            for n in range(EXTRAS + 2):
                petition = Petition(
                    slug=f"hrodna-{n:02d}",
                    organisation_id=organisation_id,
                    title=f"Free prisoner {n:02d} from Hrodna",
                    summary="Held for a comment.",
                    goal=100,
                    status=PetitionStatus.open if n < EXTRAS else PetitionStatus.closed,
                    published_at=now - timedelta(hours=n + 1),
                    ends_at=now + timedelta(days=n + 1) if n < EXTRAS else None,
                    closed_at=None if n < EXTRAS else now,
                    won_at=now if n == EXTRAS + 1 else None,
                )
                session.add(petition)
                session.flush()
                fields = {"title": f"Свабоду вязню {n:02d} з Гродна", "summary": "", "body": ""}
                save_version(session, "petition", petition, "be", fields)
    finally:
        engine.dispose()


def result_slugs(page: Page) -> list[str]:
    """The slugs of the result cards, in order (read from the page: scripts may be off)."""
    html = page.content().split('aria-labelledby="results-heading"', 1)[1].split("</section>")[0]
    return re.findall(r'<h3[^>]*><a href="/petitions/([^"?]+)[^"]*">', html)


def fits_the_screen(page: Page) -> None:
    """Nothing wider than the phone's screen (checked where scripts run)."""
    if id(page) in SCRIPTS_OFF:
        return
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def test_find_a_petition_page_through_and_read_where_its_signatures_come_from(
    page: Page, site: Site, hrodna: None
) -> None:
    page.goto(site.url + "/petitions?lang=be")
    assert page.locator("html").get_attribute("lang") == "be"

    # Search, filter and sort with the form (fields found by id, as in every language).
    page.locator("#finder-q").fill("гродна")
    page.locator("#finder-status").select_option("open")
    page.locator("#finder-sort").select_option("ending")
    page.locator("form.finder button[type=submit]").click()
    page.wait_for_load_state()
    state = parse_qs(urlsplit(page.url).query)
    # The search keeps the page's language in the address (the page is a shared one).
    assert state == {"lang": ["be"], "q": ["гродна"], "status": ["open"], "sort": ["ending"]}
    assert result_slugs(page) == [f"hrodna-{n:02d}" for n in range(20)]  # soonest end first
    count = page.locator("#result-count").inner_text()
    assert re.findall(r"\d+", count)[0] == str(EXTRAS + 1)  # the language places the number
    assert page.locator("#finder-q").input_value() == "гродна"  # the form keeps the search
    fits_the_screen(page)
    assert_accessible(page)

    # The next page, by its link; the closed and the won petition are not among the open ones.
    page.locator("nav.pages a[rel=next]").click()
    page.wait_for_load_state()
    second = page.url
    assert parse_qs(urlsplit(second).query)["page"] == ["2"]
    assert result_slugs(page) == ["hrodna-20", "hrodna-21", DEMO]  # no end date: last
    assert page.locator("nav.pages a[aria-current=page]").inner_text() == "2"
    fits_the_screen(page)

    # The address is the search: opened afresh, it shows the same page.
    page.goto(site.url + "/")
    page.goto(second)
    assert result_slugs(page) == ["hrodna-20", "hrodna-21", DEMO]

    # The demo petition, in Belarusian, and its breakdown.
    page.locator(f"a[href^='/petitions/{DEMO}?']").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Вызваліце Ганну Кавальчук"
    page.locator(f"a[href^='/petitions/{DEMO}/breakdown?']").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/petitions/{DEMO}/breakdown?lang=be")  # the language kept
    world = page.locator("svg.world-map")
    assert world.is_visible()
    counts = json.loads(
        urllib.request.urlopen(f"{site.url}/petitions/{DEMO}/counts.json").read()  # noqa: S310
    )
    by_country = counts["signatures_by_country"]
    assert by_country and sum(by_country.values()) == counts["signature_count"]
    rows = page.locator("section[aria-labelledby=by-country-heading] tbody tr")
    assert rows.count() == len(by_country)
    first_code, first_count = next(iter(by_country.items()))  # the most signatures first
    assert rows.first.locator("td").all_inner_texts() == [
        country_name(first_code, "be"),
        str(first_count),
    ]
    # The map shades the countries of the table; its outlines are the app's own.
    shaded = world.locator("path[data-country]")
    assert {shaded.nth(n).get_attribute("data-country") for n in range(shaded.count())} <= set(
        by_country
    )
    assert "BY" in by_country and world.locator("path[data-country=BY]").count() == 1
    assert page.locator("section[aria-labelledby=by-day-heading] svg.chart").is_visible()
    fits_the_screen(page)
    assert_accessible(page)

    # Won petitions have their own filter, with a badge.
    page.goto(site.url + "/petitions?status=won")
    assert result_slugs(page) == [f"hrodna-{EXTRAS + 1:02d}"]
    assert page.locator(".card .badge.won").count() == 1
