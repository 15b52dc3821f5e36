"""Journey 1: a supporter signs a petition, confirms from the mail, and sees the count rise."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from tests.e2e.helpers import Site, assert_accessible, unique_email

PETITION = "/petitions/free-anna-kavalchuk"


def signature_count(page: Page) -> int:
    text = page.locator(".count strong").first.inner_text()
    return int(re.sub(r"\D", "", text))


def test_a_supporter_signs_confirms_from_the_mail_and_the_count_rises(
    page: Page, site: Site
) -> None:
    page.goto(site.url + PETITION)
    assert_accessible(page)
    before = signature_count(page)
    email = unique_email(page, "signer")

    page.get_by_role("textbox", name="Full name").fill("Alesia Test")
    page.get_by_role("textbox", name="E-mail address").fill(email)
    page.get_by_role("combobox", name="Country").select_option("LT")
    page.get_by_role("textbox", name="City (optional)").fill("Vilnius")
    page.get_by_label("I agree that my name").check()
    page.get_by_role("button", name="Sign").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().strip()
    assert_accessible(page)

    mail = site.mail_to(email)
    page.goto(site.link_in(mail, "/confirm"))
    assert_accessible(page)
    # What the button confirms is shown before it; no naming was asked for, so none is offered.
    details = page.locator("dl.facts").inner_text()
    assert "Alesia Test" in details and "Vilnius" in details and "Lithuania" in details
    assert page.locator("#field-named_in_handover").count() == 0
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your signature is confirmed.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the petition").click()
    page.wait_for_load_state()
    assert signature_count(page) == before + 1


def test_a_form_error_is_shown_next_to_its_field_and_the_summary_links_to_it(
    page: Page, site: Site
) -> None:
    page.goto(site.url + PETITION)
    page.get_by_role("textbox", name="Full name").fill("Alesia Test")
    page.get_by_role("textbox", name="E-mail address").fill("not an address")
    page.get_by_role("button", name="Sign").click()
    page.wait_for_load_state()
    field = page.locator("#field-email")
    assert field.get_attribute("aria-invalid") == "true"
    assert "error-email" in (field.get_attribute("aria-describedby") or "")
    assert page.locator("#error-email").is_visible()
    assert page.locator('#error-summary a[href="#field-email"]').count() == 1
    assert_accessible(page)
