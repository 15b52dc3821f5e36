"""The campaign's public count says what it counts: letters sent through the site, those
confirmed and waiting, and those supporters sent themselves, which count only if they ask."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.letters.models import LetterCount
from campaign.letters.service import delivery
from tests.factories import make_letter_campaign, send_mail
from tests.letters.test_delivery import confirm_all, write
from tests.letters.test_journey import review, send
from tests.smtp_server import SmtpServer


def test_the_box_to_count_a_letter_one_sends_oneself_is_not_ticked_by_default(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    page, data = review(client, campaign)
    box = re.search(r'<input type="checkbox" id="field-count_me"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    # A browser posts no unticked box: a download alone counts nothing.
    pdf = send(client, campaign, data, channel="print")
    assert pdf.headers["content-type"] == "application/pdf"
    with Session(engine) as session:
        assert session.exec(select(LetterCount)).all() == []
    assert (
        "0 letters written in supporters' own mail programs or printed"
        in client.get(f"/letters/{campaign.slug}").text
    )


def test_the_page_counts_sent_waiting_and_self_sent_letters_apart(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")  # two letters, then confirmed
    confirm_all(engine, settings, campaign)
    write(engine, settings, campaign, "olga@example.org")  # two more, never confirmed
    page = client.get(f"/letters/{campaign.slug}").text
    assert "0 letters sent by e-mail through this site" in page
    assert "2 more confirmed and waiting to go out" in page

    with transaction(engine) as session:
        assert delivery.release_due(session, settings=settings) == 2
    send_mail(engine, settings)
    with transaction(engine) as session:
        delivery.record_outcomes(session)
    _, data = review(client, campaign)
    send(client, campaign, data, channel="print", count_me="1")  # one letter has a postal address
    page = client.get(f"/letters/{campaign.slug}").text
    assert "2 letters sent by e-mail through this site" in page
    assert "waiting to go out" not in page
    assert "1 letter written in supporters' own mail programs or printed to post" in page
