"""Journey: a reader in Belarusian opens the demo letter campaign, reads how its officials answer,
follows the Prosecutor General to his own page (his name and greeting in her language, the
campaigns that wrote to him, his answer, his record), and goes on to every official on record;
on a phone nothing is wider than the screen, and with JavaScript off it all works the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page
from sqlmodel import select

from campaign.core.db import make_engine, transaction, utcnow
from campaign.letters.models import LetterCampaign, LetterCount, Official, OfficialReply
from tests.e2e.helpers import SCRIPTS_OFF, Site, assert_accessible

CAMPAIGN = "write-for-anna"
PROSECUTOR = "Генеральный прокурор Республики Беларусь"  # his name in the register (Russian)
IN_BELARUSIAN = "Генеральны пракурор Рэспублікі Беларусь"
ANSWER = "The Prosecutor General's office says the case file is under review."


@pytest.fixture(scope="module")
def on_record(site: Site) -> int:
    """Twelve letters to the prosecutor (ten by e-mail, two printed), the first nine days
    before the answer the organisers recorded; the minister got three, too few to judge."""
    engine = make_engine(site.database_url)
    first = utcnow().date() - timedelta(days=20)
    try:
        with transaction(engine) as session:
            campaign = session.exec(
                select(LetterCampaign).where(LetterCampaign.slug == CAMPAIGN)
            ).one()
            officials = {o.name: o for o in session.exec(select(Official)).all()}
            prosecutor = officials[PROSECUTOR]
            minister = officials["Министр внутренних дел Республики Беларусь"]
            for official, day, event, n in (
                (prosecutor, first, "sent", 10),
                (prosecutor, first + timedelta(days=1), "printed", 2),
                (minister, first, "sent", 3),
            ):
                session.add(
                    LetterCount(
                        campaign_id=campaign.id,  # type: ignore[arg-type]
                        official_id=official.id,  # type: ignore[arg-type]
                        day=day,
                        event=event,
                        count=n,
                    )
                )
            session.add(
                OfficialReply(
                    campaign_id=campaign.id,  # type: ignore[arg-type]
                    official_id=prosecutor.id,  # type: ignore[arg-type]
                    received_on=first + timedelta(days=9),
                    summary=ANSWER,
                )
            )
            return int(prosecutor.id)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def cells(page: Page, row: str) -> list[str]:
    """The text of the data cells of a table row found by a selector."""
    return [text.strip() for text in page.locator(row).locator("td").all_inner_texts()]


def fits_the_screen(page: Page) -> None:
    """Nothing wider than the screen: a wide table scrolls inside its own box (where scripts run
    to measure)."""
    if id(page) in SCRIPTS_OFF:
        return
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def test_a_reader_follows_an_official_from_the_campaign_to_his_record(
    page: Page, site: Site, on_record: int
) -> None:
    page.goto(f"{site.url}/letters/{CAMPAIGN}?lang=be")
    table = page.locator("table.answers-table")
    assert table.is_visible()
    link = table.locator(f'a[href="/officials/{on_record}?lang=be"]')  # the language carried
    assert link.inner_text().strip() == IN_BELARUSIAN
    assert cells(page, f'table.answers-table tr:has(a[href^="/officials/{on_record}?"])') == [
        "10",
        "2",
        "0",
        "1",
        "9",
    ]
    fits_the_screen(page)

    link.click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/officials/{on_record}?lang=be")
    assert page.locator("html").get_attribute("lang") == "be"
    assert page.get_by_role("heading", level=1).inner_text().strip() == IN_BELARUSIAN
    assert page.get_by_text("Паважаны спадар Генеральны пракурор").is_visible()
    assert page.get_by_text(ANSWER).is_visible()
    row = f'table.answers-table tbody tr:has(a[href="/letters/{CAMPAIGN}"])'
    assert cells(page, row) == ["10", "2", "0", "1", "9"]
    assert "prokuratura.example" not in page.content()  # his e-mail address is not shown
    fits_the_screen(page)
    assert_accessible(page)

    page.locator('a[href="/officials"]').click()
    page.wait_for_load_state()
    listed = page.locator("table.answers-table tbody tr")
    assert listed.count() == 3  # the demo campaign's three officials
    minister = listed.filter(has_text="Міністр унутраных спраў")
    assert minister.locator("td").nth(2).get_attribute("colspan") == "3"  # too few letters yet
    fits_the_screen(page)
    assert_accessible(page)

    page.locator(f'a[href="/officials/{on_record}"]').click()
    page.wait_for_load_state()
    page.locator(f'table.answers-table a[href="/letters/{CAMPAIGN}"]').click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(f"/letters/{CAMPAIGN}")
    assert page.locator("table.answers-table").is_visible()
