"""Journey on a phone: a volunteer logs a letter to a demo prisoner; an organiser records that the
person was moved that very day (a date in the future is refused beside the field); the volunteer
is mailed the new address, opens the person's page from the mail and reads when they were moved,
and finds their letter marked as sent to an old address on their own page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page

from campaign.core.db import utcnow
from campaign.prisoners.demo import FACILITIES
from tests.e2e.helpers import (
    Site,
    assert_accessible,
    log_in_as_demo_owner,
    sign_in_by_mailed_link,
    unique_email,
)
from tests.e2e.test_updates_journey import fits_the_screen

NEW_ADDRESS = "Прыкладнаму\nвул. Садовая, 1\n222520 г. Заречча"


@pytest.mark.parametrize("variant", ["phone"])
def test_a_volunteer_hears_of_a_transfer_and_sees_the_letter_left_at_the_old_address(
    page: Page, site: Site
) -> None:
    email = unique_email(page, "follower")
    page.goto(site.url + "/prisoners/pick")
    profile = page.url
    name = page.locator("h1").evaluate("h => h.firstChild.textContent.trim()")
    page.get_by_role("link", name="Sign in to log letters").click()
    page.wait_for_load_state()
    sign_in_by_mailed_link(page, site, email)
    assert page.url == profile
    page.get_by_role("button", name="Log my letter").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your letter is logged. Thank you!").is_visible()
    assert not page.locator(".moved-notice").count()

    log_in_as_demo_owner(page, site)
    page.goto(site.url + "/admin/prisoners")
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Record a transfer").click()
    page.wait_for_load_state()
    assert_accessible(page)
    fits_the_screen(page)
    held = page.locator("main strong").first.inner_text()
    elsewhere = next(facility for facility, _address, _country in FACILITIES if facility != held)
    page.locator("#field-facility").select_option(label=elsewhere)
    tomorrow = utcnow().date() + timedelta(days=1)
    page.locator("#field-moved_on").fill(tomorrow.isoformat())
    page.locator("#field-letter_address").fill(NEW_ADDRESS)
    page.get_by_role("button", name="Record the transfer").click()
    page.wait_for_load_state()
    assert "cannot be in the future" in page.locator("#error-moved_on").inner_text()
    fits_the_screen(page)
    page.locator("#field-moved_on").fill(utcnow().date().isoformat())
    page.get_by_role("button", name="Record the transfer").click()
    page.wait_for_load_state()
    assert page.locator(".flash").inner_text().startswith("The transfer is recorded")
    assert page.locator("table").get_by_text(elsewhere).is_visible()

    mail = site.mail_where(
        lambda m: email in str(m["To"]) and str(m["Subject"]) == f"Address for letters: {name}",
        what=f"telling {email} of the transfer",
        timeout=90,  # the worker's jobs run each second, but a loaded machine delays them
    )
    page.goto(site.link_in(mail, "/prisoners/"))
    notice = page.locator(".moved-notice")
    assert notice.is_visible() and notice.inner_text().startswith("Moved on ")
    assert "may not arrive" in notice.inner_text()
    assert "вул. Садовая, 1" in page.locator("pre.address").inner_text()
    assert_accessible(page)
    fits_the_screen(page)

    page.goto(site.url + "/volunteer")
    row = page.locator("tr", has=page.get_by_role("link", name=name, exact=True)).first
    mark = row.locator(".old-address")
    assert mark.is_visible() and mark.inner_text() == "sent to an old address"
    assert_accessible(page)
    fits_the_screen(page)
    mark.click()
    page.wait_for_load_state()
    assert page.locator(".moved-notice").is_visible()
