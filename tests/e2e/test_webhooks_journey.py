"""Journey: an owner points a webhook at a receiver on this machine (development allows http and
loopback), a supporter signs and confirms with the organisation's contact box ticked, the worker
delivers, the receiver verifies the signature with the secret the owner's page showed, and the
webhook's page lists the delivery as delivered."""

from __future__ import annotations

from playwright.sync_api import Page
from sqlmodel import select

from campaign.accounts.models import Organisation
from campaign.core.db import make_engine, transaction
from tests.e2e.helpers import (
    Site,
    assert_accessible,
    log_in_as_demo_owner,
    sign_petition,
    unique_email,
    wait_until,
)
from tests.e2e.test_updates_journey import fits_the_screen, new_petition
from tests.hooks.receiver import Post, receiver


def organisation_id(site: Site) -> int:
    engine = make_engine(site.database_url)
    try:
        with transaction(engine) as session:
            found = session.exec(
                select(Organisation.id).where(Organisation.name == "Solidarity Centre")
            ).one()
            assert found is not None
            return found
    finally:
        engine.dispose()


def test_a_webhook_receives_a_confirmed_signature_signed_and_the_owner_sees_it_delivered(
    page: Page, site: Site
) -> None:
    petition = new_petition(site, "Free Ales, e2e webhook")
    hooks_page = f"{site.url}/admin/organisations/{organisation_id(site)}/webhooks"
    with receiver() as inbox:
        log_in_as_demo_owner(page, site)
        page.goto(hooks_page)
        assert_accessible(page)
        fits_the_screen(page)
        page.get_by_role("textbox", name="Address that receives the events").fill(inbox.url)
        page.get_by_label("A supporter confirmed a signature").check()
        page.get_by_role("button", name="Add the webhook").click()
        page.wait_for_load_state()
        inbox.secret = page.locator("#webhook-secret").inner_text().strip()
        assert inbox.secret.startswith("whsec_")
        webhook_page = page.url

        signer = unique_email(page, "hooked")
        page.goto(f"{site.url}/petitions/{petition.slug}?lang=en")
        page.locator("#field-wants_updates").check()
        sign_petition(page, signer, name="Ales Hook")
        page.goto(site.link_in(site.mail_to(signer), "/confirm"))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()

        def arrived() -> list[Post]:
            return [
                post
                for post in inbox.accepted
                if post.document["data"]["person"]["email_addresses"][0]["address"] == signer
            ]

        (post,) = wait_until(arrived)
        assert post.verified  # HMAC-SHA256 over timestamp and body, with the page's secret
        assert post.document["data"]["petition"]["slug"] == petition.slug

        def shows_delivered() -> bool:
            page.goto(webhook_page)
            return page.locator("tr.delivery-delivered").count() == 1

        wait_until(shows_delivered)
        assert_accessible(page)
        fits_the_screen(page)
        assert signer not in page.content()  # the page shows no payload
        page.get_by_role("button", name="Delete this webhook and its deliveries").click()
        page.wait_for_load_state()
        assert page.url == hooks_page
