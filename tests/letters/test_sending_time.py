"""The thank-you page tells when confirmed letters go out: now within the campaign's sending
hours, else when they next begin, on the supporter's clock when their country keeps one; and
the demo campaign of `make run` sends at any hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.letters.models import Letter, LetterCampaign, LetterStatus
from campaign.letters.service import delivery
from campaign.mail.models import OutboxMessage
from campaign.site.demo import LETTER_CAMPAIGN, load_demo
from tests.conftest import csrf_from
from tests.factories import make_letter_campaign, send_mail
from tests.letters.test_delivery import confirm_all, write
from tests.letters.test_journey import review, send
from tests.smtp_server import SmtpServer

MORNING = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)  # 08:30 in Minsk


def campaign_row(**values: object) -> LetterCampaign:
    fields: dict[str, object] = {"slug": "x", "title": "x", "organisation_id": 1, **values}
    return LetterCampaign(**fields)


def test_within_the_sending_hours_letters_go_now() -> None:
    campaign = campaign_row(send_from_hour=8, send_until_hour=18, timezone="Europe/Minsk")
    assert delivery.sending_starts(campaign, MORNING) is None
    told = delivery.next_sending(campaign, country="BY", now=MORNING)
    assert told.starts is None and not told.paused


def test_before_and_after_the_hours_letters_go_at_their_next_start_in_the_campaigns_zone() -> None:
    campaign = campaign_row(send_from_hour=9, send_until_hour=18, timezone="Europe/Minsk")
    before = delivery.sending_starts(campaign, MORNING)  # 08:30 in Minsk
    assert before is not None and before.astimezone(UTC) == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    evening = datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # 19:00 in Minsk
    after = delivery.sending_starts(campaign, evening)
    assert after is not None and after.astimezone(UTC) == datetime(2026, 12, 8, 6, 0, tzinfo=UTC)


def test_hours_across_midnight_begin_the_same_evening() -> None:
    campaign = campaign_row(send_from_hour=22, send_until_hour=6, timezone="UTC")
    assert delivery.sending_starts(campaign, datetime(2026, 12, 7, 23, 0, tzinfo=UTC)) is None
    assert delivery.sending_starts(campaign, datetime(2026, 12, 7, 3, 0, tzinfo=UTC)) is None
    starts = delivery.sending_starts(campaign, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert starts == datetime(2026, 12, 7, 22, 0, tzinfo=UTC)


def test_the_time_is_told_on_the_supporters_clock_when_their_country_keeps_one() -> None:
    campaign = campaign_row(send_from_hour=8, send_until_hour=18, timezone="UTC")
    night = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
    in_minsk = delivery.next_sending(campaign, country="BY", now=night)
    assert in_minsk.country == "BY"
    assert in_minsk.starts is not None and (in_minsk.starts.hour, in_minsk.starts.day) == (11, 7)
    in_berlin = delivery.next_sending(campaign, country="DE", now=night)  # two zones, one clock
    assert in_berlin.starts is not None and in_berlin.starts.hour == 9
    # The United States keep several clocks: the campaign's zone is said instead.
    in_us = delivery.next_sending(campaign, country="US", now=night)
    assert in_us.country == "" and in_us.zone == "UTC"
    assert in_us.starts is not None and in_us.starts.hour == 8


def confirm_letters(client: TestClient, campaign: LetterCampaign, country: str, lang: str) -> str:
    """A supporter from `country` writes by e-mail and confirms; the thank-you page's text."""
    return confirm_from_link(client, campaign, country, lang)[0]


def confirm_from_link(
    client: TestClient, campaign: LetterCampaign, country: str, lang: str
) -> tuple[str, str]:
    """As confirm_letters; the thank-you page's text and the link in the mail."""
    _, data = review(client, campaign, country=country)
    email = f"writer-{country.lower()}@example.org"
    assert send(client, campaign, data, channel="email", email=email).status_code == 303
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        mails = session.exec(
            select(OutboxMessage).where(OutboxMessage.template == "confirm_letters")
        ).all()
    (message,) = [mail for mail in mails if mail.to_addr == email]
    link = urlsplit(message.context["url"])
    token = parse_qs(link.query)["token"][0]
    thanks = client.post(
        f"/letters/{campaign.slug}/confirm?lang={lang}",
        data={"csrf_token": csrf_from(client, f"{link.path}?{link.query}"), "token": token},
    )
    assert thanks.status_code == 200
    return thanks.text, f"{link.path}?{link.query}"


def hours_from_now(hours: int) -> int:
    return (utcnow() + timedelta(hours=hours)).hour


def test_the_thank_you_page_says_now_within_the_sending_hours(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)  # 0 to 24: always
    page = confirm_letters(client, campaign, "BY", "en")
    assert "Your letters are confirmed and start going out now." in page
    assert "on their way" not in page


def test_the_thank_you_page_says_when_the_hours_begin_on_the_supporters_clock(
    client: TestClient, engine: Engine
) -> None:
    # Hours that begin two hours from now (so a minute's turn in the test changes nothing).
    start = hours_from_now(2)
    campaign = make_letter_campaign(
        engine, send_from_hour=start, send_until_hour=(start + 1) % 24 or 24, timezone="UTC"
    )
    page = confirm_letters(client, campaign, "BY", "be")  # Minsk keeps UTC+3 all year
    assert f"{(start + 3) % 24:02d}:00" in page
    assert "Беларусь" in page and "ужо адпраўляюцца" not in page  # not "going out now"
    page = confirm_letters(client, campaign, "US", "be")  # several clocks: the campaign's
    assert f"{start:02d}:00" in page and "(часавы пояс UTC)" in page


def test_a_used_link_says_when_waiting_letters_go_and_nothing_once_they_went(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    start = hours_from_now(2)
    campaign = make_letter_campaign(
        engine, send_from_hour=start, send_until_hour=(start + 1) % 24 or 24, timezone="UTC"
    )
    _, link = confirm_from_link(client, campaign, "LT", "en")
    again = client.get(link).text
    assert "You have already confirmed these letters" in again and "<button" not in again
    assert "Letters go out only during the campaign's sending hours" in again
    with transaction(engine) as session:
        row = session.get_one(LetterCampaign, campaign.id)
        row.send_from_hour, row.send_until_hour = 0, 24
        session.add(row)
    with transaction(engine) as session:
        assert delivery.release_due(session, settings=settings) == 2
    send_mail(engine, settings)
    with transaction(engine) as session:
        assert delivery.record_outcomes(session)["sent"] == 2
    gone = client.get(link).text
    assert "You have already confirmed these letters" in gone
    assert "sending-time" not in gone  # all sent: nothing more to announce


def test_the_thank_you_page_says_when_sending_is_paused(client: TestClient, engine: Engine) -> None:
    campaign = make_letter_campaign(engine, delivery_paused=True)
    page = confirm_letters(client, campaign, "LT", "en")
    assert "paused sending for the moment" in page and "going out now" not in page


def test_the_demo_campaign_sends_at_any_hour_but_new_campaigns_keep_the_working_day(
    engine: Engine, settings: Settings
) -> None:
    with transaction(engine) as session:
        load_demo(session, settings=settings)
    with Session(engine) as session:
        campaign = session.exec(
            select(LetterCampaign).where(LetterCampaign.slug == LETTER_CAMPAIGN["slug"])
        ).one()
    write(engine, settings, campaign, "night-owl@example.org")
    confirm_all(engine, settings, campaign)
    three_at_night = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    with transaction(engine) as session:
        released = delivery.release_due(session, settings=settings, now=three_at_night)
    assert released == 3  # one letter to each of the demo's three officials, at 03:00
    with Session(engine) as session:
        statuses = session.exec(select(Letter.status)).all()
    assert statuses and set(statuses) == {LetterStatus.queued}
    fresh = campaign_row()
    assert (fresh.send_from_hour, fresh.send_until_hour) == (8, 18)  # production's default
    assert not delivery.in_sending_hours(fresh, three_at_night)
