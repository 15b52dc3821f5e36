"""Journey on a phone: a volunteer prints a postcard for a prisoner who needs mail, then, once
it is posted, logs it by typing the code from its back and finds it on their page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.e2e.helpers import Site, assert_accessible, download, pdf_text
from tests.e2e.test_prisoner_journey import sign_in_as_volunteer
from tests.e2e.test_updates_journey import fits_the_screen

CODE = re.compile(r"\b([0-9A-Z]{4})-([0-9A-Z]{4})\b")


@pytest.mark.parametrize("variant", ["phone"])
def test_a_volunteer_prints_a_postcard_then_logs_it_by_typing_its_code(
    page: Page, site: Site
) -> None:
    page.goto(site.url + "/prisoners")
    page.get_by_role("link", name="Pick someone for me").click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1).inner_text().strip()
    name = re.split(r"\s+(?=[\u0400-\u04FF])", heading)[0]  # the Latin name, before the Cyrillic
    first_line = page.locator("pre.address").inner_text().splitlines()[0].strip()

    page.get_by_role("link", name="Print a postcard").click()
    page.wait_for_load_state()
    assert_accessible(page)
    fits_the_screen(page)
    page.get_by_label("Two birds on a branch").check()
    data = download(
        page, lambda: page.get_by_role("button", name="Download the postcard (PDF)").click()
    )
    text = pdf_text(data)
    assert first_line in text
    found = CODE.search(text)
    assert found, text
    code = "".join(found.groups())

    sign_in_as_volunteer(page, site)
    # Typed as a phone's keyboard offers it: small letters, a space instead of the dash.
    page.get_by_role("textbox", name="Code on the card").fill(f"{code[:4].lower()} {code[4:]}")
    page.get_by_role("button", name="Log the postcard").click()
    page.wait_for_load_state()
    assert page.url.endswith("/volunteer")
    assert page.get_by_text("Your postcard is logged. Thank you!").is_visible()
    assert page.locator("table").get_by_role("link", name=name).first.is_visible()
    assert_accessible(page)
    fits_the_screen(page)

    page.goto(f"{site.url}/postcards/{code}")
    assert page.get_by_text("This card is already logged.").first.is_visible()
