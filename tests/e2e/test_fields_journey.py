"""Journey: an organiser adds a choice to a petition's sign form; a supporter answers it (no
script needed), is told beside the field when she forgets it, confirms from the mail; the
organiser sees the answer counted on the dashboard and in its column of the CSV export."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page

from tests.e2e.helpers import (
    Site,
    assert_accessible,
    download,
    log_in_as_demo_owner,
    sign_petition,
    unique_email,
)
from tests.e2e.test_updates_journey import fits_the_screen, new_petition


def test_a_choice_added_by_an_organiser_is_answered_confirmed_counted_and_exported(
    page: Page, site: Site
) -> None:
    petition = new_petition(site, "Free Olga, e2e fields")
    log_in_as_demo_owner(page, site)
    page.goto(f"{site.url}/admin/petitions/{petition.id}")
    page.get_by_role("link", name="Fields of the sign form").click()
    page.wait_for_load_state()
    assert_accessible(page)
    fits_the_screen(page)
    page.locator("#field-kind").select_option("choice")
    page.get_by_role("textbox", name="Question or label").fill("I am a")
    page.get_by_role("textbox", name="Answers, one per line (for a choice)").fill(
        "doctor\nlawyer\nteacher"
    )
    page.locator("#field-required").check()
    page.get_by_role("button", name="Add the field").click()
    page.wait_for_load_state()
    assert page.get_by_text("The field is added.").is_visible()
    assert page.get_by_role("link", name="I am a").is_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()

    signer = unique_email(page, "fields-signer")
    page.goto(f"{site.url}/petitions/{petition.slug}")
    sign_petition(page, signer, name="Olga Field")
    error = page.locator(".own-choice .field-error")
    assert error.inner_text() == "Choose an answer."
    assert page.locator("#field-name").input_value() == "Olga Field"
    assert_accessible(page)
    fits_the_screen(page)
    page.get_by_label("lawyer").check()
    page.locator("#field-consent").check()
    page.locator(":is(form[action$='/sign'], form[action*='/sign?']) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith("/thanks")

    page.goto(site.link_in(site.mail_to(signer), "/confirm"))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    log_in_as_demo_owner(page, site)
    page.goto(f"{site.url}/admin/petitions/{petition.id}")
    counts = page.get_by_role("table", name="I am a")
    assert counts.get_by_role("row", name="lawyer 1").is_visible()
    data = download(
        page, lambda: page.get_by_role("link", name="Signatures with consent flags (CSV)").click()
    )
    [row] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert row["email"] == signer and row["I am a"] == "lawyer"
