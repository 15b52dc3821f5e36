"""Journey: an organiser writes an update with a Belarusian version, previews it, sends a test to
themself, confirms "1 signer will receive it", and the signer who signed in Belarusian gets the
Belarusian version; an organiser marks a petition won and adds an official response with its
PDF, and both show on the petition's page."""

from __future__ import annotations

import time

from playwright.sync_api import Page
from sqlmodel import select

from campaign.accounts.models import Organisation
from campaign.core.db import make_engine, transaction, utcnow
from campaign.petitions.models import Petition, PetitionStatus
from tests.e2e.helpers import (
    DEMO_OWNER,
    Site,
    assert_accessible,
    log_in_as_demo_owner,
    sign_petition,
    unique_email,
)
from tests.petitions.test_outcomes import a_pdf


def new_petition(site: Site, title: str) -> Petition:
    """An open petition of the demo owner's organisation, with no signers yet."""
    engine = make_engine(site.database_url)
    try:
        with transaction(engine) as session:
            organisation = session.exec(
                select(Organisation).where(Organisation.name == "Solidarity Centre")
            ).one()
            petition = Petition(
                slug=f"e2e-{int(time.time() * 1000)}",
                organisation_id=organisation.id,  # type: ignore[arg-type]
                title=title,
                summary="Release her.",
                addressee="The Prosecutor General",
                body="We ask for her release.",
                status=PetitionStatus.open,
                published_at=utcnow(),
            )
            session.add(petition)
            session.flush()
            session.refresh(petition)
            session.expunge(petition)
            return petition
    finally:
        engine.dispose()


def fits_the_screen(page: Page) -> None:
    """Nothing wider than the window (checked where scripts run)."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    if width <= 400:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def test_an_update_is_previewed_tested_confirmed_and_reaches_a_signer_in_belarusian(
    page: Page, site: Site
) -> None:
    petition = new_petition(site, "Free Olga, e2e update")
    signer = unique_email(page, "be-signer")
    page.goto(f"{site.url}/petitions/{petition.slug}?lang=be")
    page.locator("#field-wants_updates").check()
    sign_petition(page, signer, name="Вольга Тэст")
    page.goto(site.link_in(site.mail_to(signer), "/confirm"))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()

    page.goto(f"{site.url}/login?lang=en")  # back to English (a shared page keeps no choice)
    log_in_as_demo_owner(page, site)
    page.goto(f"{site.url}/admin/petitions/{petition.id}/updates")
    assert_accessible(page)
    page.get_by_role("textbox", name="Subject").fill("Olga was moved")
    page.get_by_role("textbox", name="Message").fill(
        "Olga needs **letters** now: [write](https://example.org/write)."
    )
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_load_state()
    draft = page.url.split("?")[0]
    assert page.locator("pre.preview-text").inner_text().startswith("Olga was moved")
    assert (
        "Olga needs letters now: write (https://example.org/write)."
        in page.locator("pre.preview-text").inner_text()
    )
    assert page.frame_locator("iframe.mail-preview").locator("strong").inner_text() == "letters"
    assert_accessible(page)
    fits_the_screen(page)

    page.locator("a[href$='/versions/be']").click()
    page.wait_for_load_state()
    page.get_by_role("textbox", name="Subject").fill("Вольгу перавялі")
    page.get_by_role("textbox", name="Message").fill("Вользе патрэбныя **лісты**.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.locator(".preview-subject").inner_text() == "Вольгу перавялі"
    assert "Вользе патрэбныя лісты." in page.locator("pre.preview-text").inner_text()

    before = len(site.smtp.handler.messages)
    page.get_by_role("button", name=f"Send a test to me ({DEMO_OWNER})").click()
    page.wait_for_load_state()
    test = site.mail_to(DEMO_OWNER, after=before)
    assert test["Subject"] == "[TEST] Вольгу перавялі"
    assert all(signer not in str(m["To"]) for m in site.smtp.handler.messages[before:])

    page.goto(draft)
    page.get_by_role("link", name="Next: who will receive it").click()
    page.wait_for_load_state()
    assert page.locator("#recipient-count").inner_text() == "1 signer will receive it."
    assert_accessible(page)
    fits_the_screen(page)
    page.get_by_role("button", name="Send to 1 signer").click()
    page.wait_for_load_state()
    assert page.get_by_text("The update goes to 1 signer.").is_visible()

    mail = site.mail_where(
        lambda m: (
            signer in str(m["To"])
            and m["Subject"] != test["Subject"]
            and "Вольгу" in str(m["Subject"])
        ),
        what="of the update to the Belarusian signer",
    )
    assert "<strong>лісты</strong>" in mail.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_an_organiser_marks_a_petition_won_and_adds_an_official_response(
    page: Page, site: Site
) -> None:
    petition = new_petition(site, "Free Iryna, e2e outcome")
    page.goto(f"{site.url}/login?lang=en")  # back to English (a shared page keeps no choice)
    log_in_as_demo_owner(page, site)

    page.goto(f"{site.url}/admin/petitions/{petition.id}/updates")
    page.get_by_role("link", name="Add an official response").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("textbox", name="Who responded, in a few words").fill("The Ministry")
    page.get_by_label("Date of the response").fill("2027-01-15")
    page.get_by_role("textbox", name="What they answered").fill("The case is **under review**.")
    page.locator("#field-document").set_input_files(
        files=[{"name": "answer.pdf", "mimeType": "application/pdf", "buffer": a_pdf()}]
    )
    page.get_by_role("button", name="Add the response").click()
    page.wait_for_load_state()
    assert page.get_by_text("The response is shown on the petition's page.").is_visible()

    page.goto(f"{site.url}/admin/petitions/{petition.id}/updates")
    page.get_by_role("link", name="Mark the petition as won").click()
    page.wait_for_load_state()
    assert_accessible(page)
    fits_the_screen(page)
    page.get_by_role("textbox", name="Subject").fill("We won: Iryna is free")
    page.get_by_role("textbox", name="What was won").fill("Iryna was **released** today.")
    page.get_by_role("button", name="Mark as won").click()
    page.wait_for_load_state()
    assert page.get_by_text("The petition is marked as won.").is_visible()

    page.goto(f"{site.url}/petitions/{petition.slug}")
    assert page.get_by_role("heading", name="This petition was won").is_visible()
    assert page.get_by_text("Iryna was released today.").is_visible()
    assert page.get_by_role("heading", name="The Ministry").is_visible()
    assert page.get_by_text("The case is under review.").is_visible()
    assert page.get_by_role("heading", name="Signing is closed").is_visible()
    link = page.get_by_role("link", name="Read the response (PDF)")
    response = page.request.get(site.url + str(link.get_attribute("href")))
    assert response.ok and response.body().startswith(b"%PDF-")
    assert_accessible(page)
    fits_the_screen(page)
