"""Journey 4: an organiser logs in, creates and publishes a petition, gives it a Belarusian title,
exports its signatures and invalidates one."""

from __future__ import annotations

import csv
import io
import time

from playwright.sync_api import Page

from tests.e2e.helpers import Site, assert_accessible, download, sign_petition

ORGANISER = "demo@example.org"
PASSWORD = "demo-password-2026"  # the demo organiser's, printed by `campaign demo`


def log_in(page: Page, site: Site) -> None:
    page.goto(site.url + "/login")
    assert_accessible(page)
    page.get_by_role("textbox", name="E-mail address").fill(ORGANISER)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/admin" in page.url


def test_an_organiser_publishes_a_petition_exports_it_and_invalidates_a_signature(
    page: Page, site: Site
) -> None:
    log_in(page, site)
    tag = f"{int(time.time() * 1000) % 10**9}"
    slug = f"free-the-e2e-{tag}"

    page.goto(site.url + "/admin/petitions/new")
    assert_accessible(page)
    page.get_by_role("textbox", name="Title").fill(f"Free the e2e prisoner {tag}")
    page.get_by_role("textbox", name="Web address").fill(slug)
    page.get_by_role("textbox", name="Addressed to").fill("The Prosecutor General")
    page.get_by_role("textbox", name="Summary").fill("Release him and drop the charges.")
    page.get_by_role("textbox", name="The demand").fill("We ask for **immediate** release.")
    page.get_by_role("spinbutton", name="Goal (signatures)").fill("500")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_load_state()
    assert page.get_by_text("The petition is updated.").is_visible()
    dashboard = page.url

    page.get_by_role("link", name="Other languages").click()
    page.wait_for_load_state()
    versions = page.get_by_role("navigation", name="Language of the version")
    versions.get_by_role("link", name="Polski").click()
    page.wait_for_load_state()
    versions.get_by_role("link", name="Беларуская").click()
    page.wait_for_load_state()
    assert page.url.endswith("/be")
    assert_accessible(page)
    page.get_by_role("textbox", name="Title").fill(f"Вызваліце вязня e2e {tag}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.get_by_text("Version saved: Беларуская.").is_visible()
    page.goto(f"{site.url}/petitions/{slug}?lang=be")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Вызваліце вязня e2e")
    page.goto(f"{site.url}/petitions/{slug}?lang=en")

    page.goto(f"{site.url}/petitions/{slug}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Free the e2e prisoner")
    sign_petition(page, f"bot-{tag}@spam-{tag}.example", name="Bot Botov")
    sign_petition_again = f"real-{tag}@example.org"
    page.goto(f"{site.url}/petitions/{slug}")
    sign_petition(page, sign_petition_again, name="Real Person")

    page.goto(dashboard)
    data = download(page, lambda: page.get_by_role("link", name="Signatures with consent").click())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(row["email"] for row in rows) == sorted(
        [f"bot-{tag}@spam-{tag}.example", sign_petition_again]
    )

    page.get_by_role("link", name="Find and invalidate signatures").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("textbox", name="E-mail domain").fill(f"spam-{tag}.example")
    page.get_by_role("button", name="Count matching signatures").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 signature matches").is_visible()
    page.get_by_role("textbox", name="Reason").fill("bot wave from one domain")
    page.get_by_role("button", name="Invalidate these signatures").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 signature invalidated.").is_visible()
    assert_accessible(page)
    assert page.get_by_text("petition.invalidated").first.is_visible()
