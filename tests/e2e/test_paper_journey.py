"""Journey: an organiser prints signature sheets for a petition, enters a returned sheet as a
tally, and the petition's public page counts it; on a desktop, a phone and with JavaScript off."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlmodel import Session, select

from campaign.core.db import make_engine
from campaign.petitions.models import Petition
from tests.e2e.helpers import Site, assert_accessible, download, log_in_as_demo_owner, pdf_text

DEMO = "free-anna-kavalchuk"
# Each variant returns its own sheet: the site (and its counts) is shared by the module.
SHEETS = {"desktop": 301, "no-js": 302, "phone": 303}


def _petition(site: Site) -> Petition:
    engine = make_engine(site.database_url)
    try:
        with Session(engine) as session:
            return session.exec(select(Petition).where(Petition.slug == DEMO)).one()
    finally:
        engine.dispose()


def public_total(page: Page, site: Site) -> int:
    """The count the petition's page shows (its progress bar's value, as the page wrote it)."""
    page.goto(f"{site.url}/petitions/{DEMO}")
    return int(page.locator("progress").first.get_attribute("value") or "-1")


def test_an_organiser_prints_a_sheet_and_enters_it(page: Page, site: Site, variant: str) -> None:
    number = SHEETS[variant]
    petition = _petition(site)
    before = public_total(page, site)
    log_in_as_demo_owner(page, site)

    page.goto(f"{site.url}/admin/petitions/{petition.id}")
    page.get_by_role("link", name="Paper signatures: print sheets, enter returned ones").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.locator("#field-first").fill(str(number))
    page.locator("#field-sheets").fill("1")
    page.locator("#field-lang").select_option("en")
    sheet = download(
        page, lambda: page.get_by_role("button", name="Download the sheets (PDF)").click()
    )
    assert sheet.startswith(b"%PDF-")
    text = pdf_text(sheet)
    assert f"Sheet no. {number}" in text and f"/petitions/{DEMO}" in text

    page.goto(f"{site.url}/admin/petitions/{petition.id}/paper")
    page.locator("#field-number").fill(str(number))
    page.locator("#field-count").fill("7")
    page.locator("#field-country").select_option("PL")
    page.get_by_role("button", name="Count this sheet").click()
    page.wait_for_load_state()
    assert f"Sheet no. {number} entered: 7 signatures counted." in page.content()

    # The same sheet again is refused by its number, next to the field.
    page.locator("#field-number").fill(str(number))
    page.locator("#field-count").fill("7")
    page.locator("#field-country").select_option("PL")
    page.get_by_role("button", name="Count this sheet").click()
    page.wait_for_load_state()
    assert page.locator("#error-number").is_visible()

    assert public_total(page, site) == before + 7
