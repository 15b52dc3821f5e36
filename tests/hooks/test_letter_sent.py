"""A letter that went out to an official is told to the campaign's organisation, naming the
campaign and the official, never the writer (writing a letter ticks no contact box)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.letters.service import delivery
from tests.conftest import csrf_from
from tests.factories import link_in, make_letter_campaign, send_mail
from tests.hooks.conftest import deliver, make_webhook
from tests.hooks.receiver import receiver
from tests.letters.test_journey import review, send
from tests.smtp_server import SmtpServer


def test_each_letter_sent_is_told_without_its_writer(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    with receiver() as inbox:
        make_webhook(engine, campaign.organisation_id, inbox.url, events=["letter.sent"])
        _page, data = review(client, campaign)
        send(client, campaign, data, channel="email", email="ana@example.org")
        send_mail(engine, settings)
        (mail,) = smtp.handler.to("ana@example.org")
        confirm_path = link_in(mail.get_body(("plain",)).get_content(), "/confirm")  # type: ignore[union-attr]
        token = parse_qs(urlsplit(confirm_path).query)["token"][0]
        client.post(
            f"/letters/{campaign.slug}/confirm",
            data={"csrf_token": csrf_from(client, confirm_path), "token": token},
        )
        with transaction(engine) as session:
            assert delivery.release_due(session, settings=settings) == 2
        assert deliver(engine, settings) == 0  # released is not yet sent
        send_mail(engine, settings)
        with transaction(engine) as session:
            assert delivery.record_outcomes(session)["sent"] == 2
        with transaction(engine) as session:
            assert delivery.record_outcomes(session)["sent"] == 0  # told once
        deliver(engine, settings)

    assert inbox.events() == ["letter.sent", "letter.sent"]
    for post in inbox.accepted:
        assert post.document["data"]["letter_campaign"]["slug"] == campaign.slug
        assert post.document["data"]["target"]["name"]
        assert "Ana" not in post.body.decode() and "ana@" not in post.body.decode()
