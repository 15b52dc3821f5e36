"""A public page a shared cache holds, in a real browser: a shared link leads to the page in the
browser's language, the first focus in the sign form stamps the start of filling (CSS, no
JavaScript), and the form is accepted from the site's own page without a per-visitor token."""

from __future__ import annotations

from playwright.sync_api import Browser, Page

from tests.e2e.helpers import Site, unique_email

PETITION = "/petitions/free-anna-kavalchuk"


def test_a_shared_link_opens_in_the_readers_language_and_signing_needs_no_token(
    page: Page, site: Site
) -> None:
    answer = page.goto(site.url + PETITION)
    assert answer is not None and page.url == f"{site.url}{PETITION}?lang=en"
    assert answer.headers["cache-control"].startswith("public, max-age=0, s-maxage=")
    assert "set-cookie" not in answer.headers
    assert page.context.cookies() == []  # reading a public page leaves nothing behind
    assert page.locator("input[name=csrf_token]").count() == 0

    with page.expect_response(lambda r: r.url.endswith("/stamp")) as stamped:
        page.get_by_role("textbox", name="Full name").click()  # the first focus in the form
    assert stamped.value.status == 200
    assert [c["name"] for c in page.context.cookies()] == ["campaign_started"]

    page.get_by_role("textbox", name="Full name").fill("Alesia Test")
    page.get_by_role("textbox", name="E-mail address").fill(unique_email(page, "shared"))
    page.get_by_role("combobox", name="Country").select_option("LT")
    page.get_by_label("I agree that my name").check()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign").click()
    assert posted.value.status == 303  # the browser's own headers said: this site
    page.wait_for_load_state()
    assert page.url == f"{site.url}{PETITION}/thanks"


def test_a_belarusian_browser_is_sent_to_the_belarusian_page(browser: Browser, site: Site) -> None:
    context = browser.new_context(locale="be-BY", extra_http_headers={"accept-language": "be"})
    try:
        page = context.new_page()
        page.goto(site.url + PETITION)
        assert page.url == f"{site.url}{PETITION}?lang=be"
        assert page.locator("html").get_attribute("lang") == "be"
        link = page.get_by_role("navigation").first.locator("a[href^='/petitions']").first
        assert link.get_attribute("href") == "/petitions?lang=be"  # a click costs no redirect
    finally:
        context.close()
