"""Journey on a phone: a volunteer reads "write now" at the top of the list (the demo's Anna is on
hunger strike), opens her page, follows her and goes on to the letter campaign to the officials
holding her; the reminder of her hunger strike arrives once, with the campaign's link."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page

from campaign.core.db import make_engine, transaction
from campaign.prisoners import jobs
from tests.conftest import make_settings
from tests.e2e.helpers import Site, assert_accessible, sign_in_by_mailed_link, unique_email
from tests.e2e.test_updates_journey import fits_the_screen

ANNA = "Anna Kavalchuk"  # campaign/prisoners/demo.py: DEMO_EVENTS
CAMPAIGN = "/letters/write-for-anna"


def run_the_hourly_reminders(site: Site, tmp: Path) -> None:
    """The worker's hourly job, run now (the site's worker ran it at its start); the worker then
    sends what it queued."""
    settings = make_settings(site.database_url, tmp, site.smtp.port, base_url=site.url)
    engine = make_engine(site.database_url)
    try:
        with transaction(engine) as session:
            jobs.volunteer_reminders(session, settings)
    finally:
        engine.dispose()


def digests_to(site: Site, email: str) -> list[str]:
    return [
        str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
        for message in site.smtp.handler.messages
        if email in str(message["To"]) and "Reminders" in str(message["Subject"])
    ]


@pytest.mark.parametrize("variant", ["phone"])
def test_a_volunteer_sees_write_now_follows_the_person_and_reaches_the_campaign(
    page: Page, site: Site, tmp_path: Path
) -> None:
    email = unique_email(page, "events")
    page.goto(site.url + "/volunteer/signin")
    sign_in_by_mailed_link(page, site, email)
    page.get_by_label("Tell me when someone I follow has had no letter for 60 days").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()

    page.goto(site.url + "/prisoners")
    write_now = page.get_by_role("region", name="Write now")
    assert write_now.is_visible()
    assert f"{ANNA}: hunger strike since" in write_now.inner_text()
    assert write_now.get_by_role("link", name="Write to the officials").first.is_visible()
    assert_accessible(page)
    fits_the_screen(page)

    write_now.get_by_role("link", name=ANNA).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith(ANNA)
    events = page.get_by_role("region", name="Write now")
    assert "Refuses food until she gets medical care" in events.inner_text()
    assert_accessible(page)
    fits_the_screen(page)
    page.get_by_role("button", name="Follow: reminders for this person").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Stop following").is_visible()

    page.get_by_role("region", name="Write now").get_by_role(
        "link", name="Write to the officials"
    ).click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(CAMPAIGN)
    assert ANNA in page.get_by_role("heading", level=1).inner_text()
    fits_the_screen(page)

    run_the_hourly_reminders(site, tmp_path)
    mail = site.mail_where(
        lambda m: email in str(m["To"]) and "Reminders" in str(m["Subject"]),
        what="with the reminder",
    )
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{ANNA}: hunger strike since" in text
    run_the_hourly_reminders(site, tmp_path)  # an hour later: nothing new about her
    time.sleep(3)
    assert len(digests_to(site, email)) == 1
    page.goto(site.link_in(mail, CAMPAIGN))
    page.wait_for_load_state()
    assert ANNA in page.get_by_role("heading", level=1).inner_text()
