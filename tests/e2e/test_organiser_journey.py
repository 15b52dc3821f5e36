"""Journey 4: an organiser logs in, creates and publishes a petition, gives it a Belarusian title,
exports its signatures and invalidates one."""

from __future__ import annotations

import csv
import io
import re
import time

from playwright.sync_api import Page
from sqlmodel import col, select

from campaign.accounts.models import OrgRole
from campaign.accounts.service.accounts import create_organiser
from campaign.accounts.service.organisations import add_member, organisation_named
from campaign.core.db import make_engine, transaction
from campaign.petitions.models import PartnerConsent, Signature, SignatureStatus
from tests.conftest import PASSWORD, with_two_factor
from tests.e2e.helpers import (
    Site,
    assert_accessible,
    count_rows,
    download,
    log_in_as,
    log_in_as_demo_owner,
    sign_petition,
)


def log_in(page: Page, site: Site) -> None:
    log_in_as_demo_owner(page, site, check=assert_accessible)


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
    # The dashboard's recent activity reads as a sentence, not as petition.invalidated.
    assert page.get_by_text(re.compile(r"invalidated 1 signature of «")).first.is_visible()


COALITION = "/petitions/release-all-political-prisoners"  # the demo's coalition petition


def test_a_partner_organisations_steward_exports_only_the_signers_who_ticked_its_box(
    page: Page, site: Site
) -> None:
    tag = f"{int(time.time() * 1000) % 10**9}"
    engine = make_engine(site.database_url)
    try:
        with transaction(engine) as session:
            steward = create_organiser(
                session, email=f"steward-{tag}@example.org", password=PASSWORD
            )
            partner = organisation_named(session, "Solidarity Centre")
            assert partner is not None and partner.id is not None
            add_member(session, partner, steward, OrgRole.steward)
            partner_id = partner.id
        with_two_factor(engine, steward)
    finally:
        engine.dispose()
    signers = {f"agrees-{tag}@example.org": True, f"declines-{tag}@example.org": False}
    for email, agrees in signers.items():
        page.goto(site.url + COALITION)
        assert page.get_by_text("By Diaspora for Freedom, with Solidarity Centre").is_visible()
        box = page.get_by_label("Solidarity Centre may contact me")
        assert not box.is_checked()
        if agrees:
            box.check()
        sign_petition(page, email, name="Coalition Signer")
        page.goto(site.link_in(site.mail_to(email), "/confirm"))
        if agrees:  # asked again on confirming: the sign form alone may be anyone's
            page.get_by_label("Solidarity Centre may contact me").check()
        page.get_by_role("button", name="Confirm my signature").click()
        page.wait_for_load_state()

    log_in_as(page, site, steward.email, PASSWORD)
    page.goto(site.url + "/admin/petitions")
    assert_accessible(page)
    partnered = page.get_by_role("list").filter(has_text="Release all political prisoners")
    partnered.get_by_role("link", name="Release all political prisoners").click()
    page.wait_for_load_state()
    assert_accessible(page)
    assert "/partners/" in page.url
    data = download(
        page, lambda: page.get_by_role("link", name="Signers who agreed that Solidarity").click()
    )
    emails = [row["email"] for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))]
    assert f"agrees-{tag}@example.org" in emails
    assert f"declines-{tag}@example.org" not in emails
    confirmed_and_ticked = count_rows(
        site.database_url,
        Signature,
        col(Signature.status) == SignatureStatus.confirmed.value,
        col(Signature.id).in_(
            select(col(PartnerConsent.signature_id)).where(
                PartnerConsent.organisation_id == partner_id
            )
        ),
    )
    assert len(emails) == len(set(emails)) == confirmed_and_ticked
    # The host's own pages stay closed to a partner's steward: its dashboard is not there.
    host_dashboard = page.url.split("/partners/")[0]
    response = page.goto(host_dashboard)
    assert response is not None and response.status == 404
