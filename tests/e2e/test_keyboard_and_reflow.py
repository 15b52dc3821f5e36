"""The three supporter journeys with the keyboard alone, focus always visible; and every public
page readable at 320 CSS pixels (a phone, or 400% zoom) without scrolling sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page

from tests.e2e.helpers import Site, unique_email

# Keys need a desktop browser with scripts (to ask where the focus is); reflow has its own size.
VARIANT_KEYBOARD = "desktop"


@pytest.fixture(params=[VARIANT_KEYBOARD])
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def tab_to(page: Page, target: Locator, limit: int = 120) -> None:
    """Press Tab until target has the focus; every stop on the way must show where it is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        shown = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return true;
                const style = getComputedStyle(el);
                return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
            }"""
        )
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        assert shown, f"the focus is not visible on {focused}"
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


def follow_with_enter(page: Page) -> None:
    """Press Enter on the focused link or button and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_first_tab_offers_to_skip_to_the_content(page: Page, site: Site) -> None:
    page.goto(site.url + "/petitions/free-anna-kavalchuk")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_a_petition_is_signed_with_the_keyboard_alone(page: Page, site: Site) -> None:
    page.goto(site.url + "/petitions/free-anna-kavalchuk")
    tab_to(page, page.locator("#field-name"))
    page.keyboard.type("Keyboard Signer")
    tab_to(page, page.locator("#field-email"))
    page.keyboard.type(unique_email(page, "keys"))
    tab_to(page, page.locator("#field-country"))
    page.keyboard.type("Lithuania")
    assert page.locator("#field-country").input_value() == "LT"
    tab_to(page, page.locator("#field-consent"))
    page.keyboard.press("Space")
    tab_to(
        page, page.locator(":is(form[action$='/sign'], form[action*='/sign?']) button[type=submit]")
    )
    follow_with_enter(page)
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Check your e-mail"


def test_a_letter_to_officials_is_written_and_sent_with_the_keyboard_alone(
    page: Page, site: Site
) -> None:
    page.goto(site.url + "/letters/write-for-anna")
    tab_to(page, page.locator("#field-name"))
    page.keyboard.type("Keyboard Writer")
    tab_to(page, page.locator("#field-country"))
    page.keyboard.type("Poland")
    tab_to(page, page.get_by_role("button", name="See my letter"))
    follow_with_enter(page)
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Your letter"
    tab_to(page, page.locator("#field-email"))
    page.keyboard.type(unique_email(page, "keys-letter"))
    tab_to(page, page.get_by_role("button", name="Send by e-mail"))
    follow_with_enter(page)
    assert "/check-your-mail" in page.url


def test_a_letter_to_a_prisoner_is_built_with_the_keyboard_alone(page: Page, site: Site) -> None:
    page.goto(site.url + "/prisoners")
    tab_to(page, page.get_by_role("link", name="Pick someone for me"))
    follow_with_enter(page)
    tab_to(page, page.get_by_role("link", name="Write a letter"))
    follow_with_enter(page)
    first_phrase = page.locator("fieldset.phrases input[type=checkbox]").first
    tab_to(page, first_phrase)
    page.keyboard.press("Space")
    assert first_phrase.is_checked()
    tab_to(page, page.get_by_role("button", name="Show my letter"))
    follow_with_enter(page)
    assert page.get_by_role("heading", name="Your letter").is_visible()


PUBLIC_PAGES = [
    "/",
    "/petitions",
    "/petitions/free-anna-kavalchuk",
    "/letters",
    "/letters/write-for-anna",
    "/prisoners",
    "/prisoners/pick",
    "/volunteer/signin",
    "/login",
    "/my-data",
]


@pytest.mark.parametrize("width", [320, 640], ids=["320px", "200%-zoom"])
def test_public_pages_reflow_without_sideways_scrolling(page: Page, site: Site, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    too_wide = []
    for path in PUBLIC_PAGES:
        page.goto(site.url + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            too_wide.append(f"{page.url} by {overflow}px")
    assert not too_wide, f"sideways scrolling at {width}px: {too_wide}"
