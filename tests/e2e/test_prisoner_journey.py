"""Journey 3: a volunteer finds a prisoner who needs mail, builds a letter from the phrasebook,
downloads it with the envelope, signs in by a mailed link and logs the letter."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.e2e.helpers import (
    Site,
    assert_accessible,
    download,
    pdf_text,
    sign_in_by_mailed_link,
    typed_name,
    unique_email,
)


def sign_in_as_volunteer(page: Page, site: Site) -> None:
    email = unique_email(page, "volunteer")
    page.goto(site.url + "/volunteer/signin")
    assert_accessible(page)
    sign_in_by_mailed_link(page, site, email)
    assert page.url.endswith("/volunteer")


def test_a_volunteer_builds_a_phrasebook_letter_downloads_it_and_logs_it(
    page: Page, site: Site, variant: str
) -> None:
    signature = typed_name(variant)  # Cyrillic, Lithuanian or Chinese
    sign_in_as_volunteer(page, site)
    page.goto(site.url + "/prisoners")
    assert_accessible(page)
    page.get_by_role("link", name="Pick someone for me").click()
    page.wait_for_load_state()
    assert_accessible(page)
    name = page.get_by_role("heading", level=1).inner_text().strip()
    address = page.locator("pre.address").inner_text()
    assert "BELARUS" in address

    page.get_by_role("link", name="Write a letter").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.locator("fieldset.phrases input[type=checkbox]").nth(0).check()
    page.locator("fieldset.phrases input[type=checkbox]").nth(12).check()
    page.get_by_label("Your own words").fill("Вясна прыйшла, у нас цвітуць яблыні.")
    page.get_by_role("textbox", name="Sign with (optional)").fill(signature)
    page.get_by_role("button", name="Show my letter").click()
    page.wait_for_load_state()
    preview = page.locator(".letter-text").inner_text()
    assert "Вясна прыйшла" in preview
    assert signature in preview
    assert_accessible(page)

    data = download(
        page,
        lambda: page.get_by_role("button", name="Download letter and envelope (PDF)").click(),
    )
    text = pdf_text(data)
    assert "Вясна прыйшла" in text
    assert signature in text
    first_address_line = address.splitlines()[0].strip()
    assert first_address_line in text

    page.get_by_role("link", name=name.split(" ")[0], exact=False).first.click()
    page.wait_for_load_state()
    profile = page.url
    page.get_by_role("button", name="Log my letter").click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == profile  # logging stays on the person's page
    assert page.get_by_text("Your letter is logged. Thank you!").is_visible()
    page.goto(site.url + "/volunteer")
    assert page.get_by_text(name.split(" ")[0]).first.is_visible()
    assert_accessible(page)
