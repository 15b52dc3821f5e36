"""Journey: supporters ask at signing whether the addressees may learn their names, and agree
again on the confirmation page; the organiser's hand-over gives counts, and names only of those
who agreed, by the organiser's choice."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.e2e.helpers import (
    Site,
    assert_accessible,
    download,
    log_in_as_demo_owner,
    pdf_text,
    unique_email,
)

PETITION = "/petitions/free-anna-kavalchuk"  # the demo's: addressed to Belarus's prosecutor


def sign_and_confirm(
    page: Page,
    site: Site,
    *,
    name: str,
    country: str,
    named: bool,
    tag: str,
    named_again: bool = True,
) -> None:
    page.goto(site.url + PETITION)
    email = unique_email(page, tag)
    page.locator("#field-name").fill(name)
    page.locator("#field-email").fill(email)
    page.locator("#field-country").select_option(country)
    page.locator("#field-consent").check()
    box = page.get_by_label("Also give my name to the addressees")
    assert not box.is_checked()
    if named:
        box.check()
    page.locator(":is(form[action$='/sign'], form[action*='/sign?']) button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(site.link_in(site.mail_to(email), "/confirm"))
    assert name in page.locator("dl.facts").inner_text()
    # The sign form's box only asks: the name is given once it is ticked again here.
    again = page.get_by_label("Give my name (and city) to the addressees at the hand-over")
    if named:
        assert not again.is_checked()
        assert_accessible(page)
        if named_again:
            again.check()
    else:
        assert again.count() == 0
    page.get_by_role("button", name="Confirm my signature").click()
    page.wait_for_load_state()


def test_the_handover_names_only_signers_who_agreed_and_only_when_the_organiser_chooses(
    page: Page, site: Site
) -> None:
    sign_and_confirm(page, site, name="Agreed Lithuanian", country="LT", named=True, tag="lt")
    sign_and_confirm(page, site, name="Agreed Belarusian", country="BY", named=True, tag="by")
    sign_and_confirm(page, site, name="Silent Signer", country="PL", named=False, tag="pl")
    sign_and_confirm(
        page, site, name="Changed Mind", country="LT", named=True, tag="mind", named_again=False
    )

    log_in_as_demo_owner(page, site)
    page.goto(site.url + "/admin/petitions")
    page.get_by_role("link", name="Free Anna Kavalchuk").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Hand-over document (print view)").click()
    page.wait_for_load_state()
    assert_accessible(page)
    document = page.locator("article.handover")
    assert "By country" in document.inner_text()
    assert "Agreed Lithuanian" not in document.inner_text()
    assert page.get_by_text("the addressee's own country").is_visible()

    page.get_by_label("Include the names and cities").check()
    page.get_by_role("button", name="Show the document").click()
    page.wait_for_load_state()
    assert_accessible(page)
    shown = page.locator("article.handover").inner_text()
    assert "Agreed Lithuanian" in shown
    assert "Agreed Belarusian" not in shown and "Silent Signer" not in shown
    assert "Changed Mind" not in shown
    pdf = pdf_text(download(page, lambda: page.get_by_role("link", name="PDF").click()))
    assert "Agreed Lithuanian" in pdf and "Agreed Belarusian" not in pdf
    assert "Silent Signer" not in pdf and "Changed Mind" not in pdf
    assert "names are withheld" in pdf

    page.get_by_label("Also name the signers from Belarus").check()
    page.get_by_role("button", name="Show the document").click()
    page.wait_for_load_state()
    shown = page.locator("article.handover").inner_text()
    assert "Agreed Belarusian" in shown and "Silent Signer" not in shown
