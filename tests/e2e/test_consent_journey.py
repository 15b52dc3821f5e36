"""Journey on a phone: the demo's person waiting for consent has no public page; an organiser
records the family's consent on the person's admin page and the page appears; she records its
withdrawal and the page is gone again, like a person the site never knew."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import Site, assert_accessible, log_in_as_demo_owner
from tests.e2e.test_updates_journey import fits_the_screen

WAITING = "Andrei Prykladny 6"  # campaign/prisoners/demo.py: WAITING_FOR_CONSENT
SLUG = "andrei-prykladny-6"


def _status(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None
    return response.status


def _record(page: Page, state: str, given_by: str, how: str) -> None:
    page.locator("#field-state").select_option(state)
    page.locator("#field-given_by").select_option(given_by)
    page.locator("#field-how").select_option(how)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("variant", ["phone"])
def test_an_organiser_records_consent_and_the_page_appears_then_withdraws_it_and_it_is_gone(
    page: Page, site: Site
) -> None:
    assert _status(page, f"{site.url}/prisoners/{SLUG}") == 404
    assert WAITING not in page.goto(f"{site.url}/prisoners").text()  # type: ignore[union-attr]

    log_in_as_demo_owner(page, site)
    page.goto(f"{site.url}/admin/prisoners/dashboard")
    page.locator("#consent + p + ul").get_by_role("link", name=WAITING).click()
    page.wait_for_load_state()
    assert page.locator(".consent-missing").is_visible()
    assert_accessible(page)
    fits_the_screen(page)

    _record(page, "given", "family", "letter")
    assert page.locator(".flash").inner_text().startswith("Consent is recorded")
    assert page.locator(".consent-given").is_visible()
    fits_the_screen(page)
    page.get_by_role("link", name="Public page").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith(WAITING)

    page.go_back()
    page.wait_for_load_state()
    _record(page, "withdrawn", "lawyer", "lawyer")
    assert page.locator(".flash").inner_text().startswith("Consent is withdrawn")
    assert page.locator("table").get_by_text("withdrawn").first.is_visible()
    assert_accessible(page)
    fits_the_screen(page)
    assert _status(page, f"{site.url}/prisoners/{SLUG}") == 404
