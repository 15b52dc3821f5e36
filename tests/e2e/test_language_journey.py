"""Journey 5: a visitor switches to Belarusian and back; the pages and the mail follow."""

from __future__ import annotations

from playwright.sync_api import Page

from campaign.core.i18n import translations
from tests.e2e.helpers import Site, assert_accessible, sign_petition, unique_email

PETITION = "/petitions/free-anna-kavalchuk"
BE = translations("be")


def sign_button(page: Page) -> str:
    return (
        page.locator(":is(form[action$='/sign'], form[action*='/sign?']) button[type=submit]")
        .inner_text()
        .strip()
    )


def test_the_page_and_the_mail_follow_the_language_chosen_and_switch_back(
    page: Page, site: Site
) -> None:
    page.goto(site.url + PETITION)
    assert page.locator("html").get_attribute("lang") == "en"
    assert sign_button(page) == "Sign"

    page.get_by_role("navigation", name="Language").locator("a[hreflang=be]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "be"
    assert sign_button(page) == BE.gettext("Sign") != "Sign"
    # The demo petition has a Belarusian version; the page shows it.
    assert page.get_by_role("heading", level=1).inner_text() == "Вызваліце Ганну Кавальчук"
    assert_accessible(page)

    page.goto(site.url + "/prisoners")  # the choice stays without ?lang=
    assert page.locator("html").get_attribute("lang") == "be"
    page.goto(site.url + PETITION)
    email = unique_email(page, "belarusian")
    sign_petition(page, email, name="Алеся")
    assert page.locator("html").get_attribute("lang") == "be"
    body = site.mail_to(email).get_body(("plain",))
    assert body is not None
    assert BE.gettext("Hello %(name)s,") % {"name": "Алеся"} in body.get_content()

    page.get_by_role("navigation", name=BE.gettext("Language")).locator("a[hreflang=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(site.url + PETITION)
    assert sign_button(page) == "Sign"
    assert page.get_by_role("heading", level=1).inner_text() == "Free Anna Kavalchuk"
    email = unique_email(page, "english")
    sign_petition(page, email, name="Alesia")
    body = site.mail_to(email).get_body(("plain",))
    assert body is not None
    assert "Hello Alesia," in body.get_content()
