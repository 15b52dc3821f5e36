"""A volunteer on a prisoner's page signs in from there and comes back to it, logs a letter and
stays on the page with a confirmation, sees in the header that they are signed in, and signs out
on this device; buttons side by side never touch, on the volunteer's page and on a letter's
"send it yourself" choices (desktop, no JavaScript, phone)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page

from tests.e2e.helpers import Site, assert_accessible, sign_in_by_mailed_link, unique_email
from tests.e2e.test_letter_journey import write_letter

GAP = 4  # CSS pixels at least between two buttons, side by side or one above the other


def apart(first: Locator, second: Locator) -> float:
    """The space between two buttons' boxes (negative when they overlap)."""
    a, b = first.bounding_box(), second.bounding_box()
    assert a is not None and b is not None
    across = max(b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]))
    down = max(b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]))
    return max(across, down)


def test_a_volunteer_signs_in_from_a_prisoners_page_and_logs_a_letter_there(
    page: Page, site: Site
) -> None:
    page.goto(site.url + "/prisoners/pick")
    profile = page.url
    assert "/prisoners/" in profile
    page.get_by_role("link", name="Sign in to log letters").click()
    page.wait_for_load_state()
    sign_in_by_mailed_link(page, site, unique_email(page, "returning"))
    assert page.url == profile  # back where signing in began
    assert page.get_by_text("You are signed in.").is_visible()
    header = page.locator(".site-header")
    assert header.get_by_text("Signed in as a volunteer").is_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Log my letter").click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == profile
    assert page.get_by_text("Your letter is logged. Thank you!").is_visible()
    assert page.get_by_role("button", name="Log my letter").is_visible()  # another, if any

    page.goto(site.url + "/volunteer")
    main = page.locator("main")
    save = main.get_by_role("button", name="Save", exact=True).last
    sign_out = main.get_by_role("button", name="Sign out", exact=True)
    everywhere = main.get_by_role("button", name="Sign out on every device")
    assert apart(save, sign_out) >= GAP
    assert apart(sign_out, everywhere) >= GAP
    here = header.get_by_role("button", name="Sign out", exact=True)
    assert apart(here, header.get_by_role("button", name="Sign out on every device")) >= GAP
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate(
        "document.documentElement.clientWidth"
    )
    assert_accessible(page)

    here.click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/prisoners")  # (?lang=: the list is shared)
    assert page.get_by_text("You are signed out on this device.").is_visible()
    assert not page.locator(".site-header").get_by_text("Signed in as a volunteer").count()
    page.goto(site.url + "/volunteer")
    assert "/volunteer/signin" in page.url


def test_the_buttons_to_send_a_letter_oneself_never_touch(page: Page, site: Site) -> None:
    write_letter(page, site, "Ales Writer")
    mail_program = page.get_by_role("button", name="Open in my mail program")
    to_print = page.get_by_role("button", name="Download to print")
    assert apart(mail_program, to_print) >= GAP
