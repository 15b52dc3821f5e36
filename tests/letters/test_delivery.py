"""Letters by e-mail: held until confirmed, once per official, trickled out within caps and
sending hours, and written back when the official's server refuses them."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from campaign.core.db import transaction
from campaign.core.ratelimit import Limiter
from campaign.core.security import keyed_hash
from campaign.core.settings import Settings
from campaign.letters import emails
from campaign.letters.models import (
    EmailStatus,
    Letter,
    LetterCampaign,
    LetterCount,
    LetterSender,
    OfficialEmail,
)
from campaign.letters.service import compose, dashboard, delivery, holding, replies
from campaign.mail.messages import build_message
from campaign.mail.models import MailStatus, OutboxMessage
from campaign.site.jobs import housekeeping_jobs
from tests.factories import make_letter_campaign, send_mail
from tests.smtp_server import SmtpServer

TODAY = date(2026, 11, 24)
NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def write(
    engine: Engine,
    settings: Settings,
    campaign: LetterCampaign,
    email: str,
    *,
    name: str = "Ana Bialiatskaya",
    paragraph: str = "I was arrested myself once.",
    client: str | None = None,
) -> None:
    """A supporter fills in the form and asks for their letters to be sent by e-mail."""
    with transaction(engine) as session:
        raw = {
            **{"name": name, "country": "LT", "city": "Vilnius", "paragraph": paragraph},
            "paragraph_as_is": "1",  # English words go into the Russian letter too, knowingly
        }
        letters = compose.prepare(session, campaign, raw, locale="en", today=TODAY)
        assert letters.writer is not None and not letters.errors
        holding.submit(
            session,
            settings=settings,
            limiter=Limiter(session),
            campaign=campaign,
            submission=holding.Submission(letters.writer, email, letters.drafts, "en", True),
            # One client per supporter unless told: the rate limit is not under test here.
            ip_hash=client or keyed_hash(settings, "ip", email),
        )


def confirm_all(engine: Engine, settings: Settings, campaign: LetterCampaign) -> None:
    """Every supporter uses the link in their confirmation mail."""
    with transaction(engine) as session:
        for message in session.exec(
            select(OutboxMessage).where(OutboxMessage.template == "confirm_letters")
        ).all():
            token = message.context["url"].split("token=")[1].split("&")[0]
            holding.confirm(session, settings=settings, campaign=campaign, token=token)


def release(engine: Engine, settings: Settings, now: datetime = NOON) -> int:
    with transaction(engine) as session:
        return delivery.release_due(session, settings=settings, now=now)


def statuses(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return sorted(session.exec(select(Letter.status)).all())


def letter_mails(engine: Engine) -> int:
    with Session(engine) as session:
        query = select(func.count()).where(OutboxMessage.template == "letter_to_official")
        return int(session.exec(query).one())


def test_letters_wait_until_the_supporter_confirms(engine: Engine, settings: Settings) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")
    assert statuses(engine) == ["held", "held"]
    assert release(engine, settings) == 0
    confirm_all(engine, settings, campaign)
    assert statuses(engine) == ["waiting", "waiting"]
    assert release(engine, settings) == 2
    assert letter_mails(engine) == 2


def test_each_official_gets_one_letter_per_supporter_however_often_they_write(
    engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org", paragraph="First try.")
    write(engine, settings, campaign, "Ana@Example.org", paragraph="Second, better try.")
    confirm_all(engine, settings, campaign)
    confirm_all(engine, settings, campaign)
    write(engine, settings, campaign, "ana@example.org", paragraph="Third try, after confirming.")
    with Session(engine) as session:
        bodies = session.exec(select(Letter.body)).all()
        mails = session.exec(
            select(func.count()).where(OutboxMessage.template == "confirm_letters")
        ).one()
        counts = dashboard.dashboard(session, campaign).totals
    assert len(bodies) == 2 and all("Second, better try." in body for body in bodies)
    assert mails == 2  # the third visit, after confirming, mails nothing
    assert counts["written"] == 2 and counts["confirmed"] == 2


def test_caps_spread_letters_over_the_hours_and_days(engine: Engine, settings: Settings) -> None:
    campaign = make_letter_campaign(engine, hourly_cap=6, daily_cap=10)
    for n in range(30):
        write(engine, settings, campaign, f"supporter{n}@example.org", name=f"Supporter {n}")
    confirm_all(engine, settings, campaign)
    released: list[tuple[datetime, int]] = []
    start = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    for minute in range(0, 36 * 60, 5):  # the worker looks every few minutes, for a day and a half
        now = start + timedelta(minutes=minute)
        released.append((now, release(engine, settings, now)))
    per_official = 2  # two officials: every figure below is twice one official's
    first_hour = sum(n for t, n in released if t < start + timedelta(hours=1))
    first_ten_minutes = sum(n for t, n in released if t < start + timedelta(minutes=10))
    first_day = sum(n for t, n in released if t.date() == start.date())
    assert first_ten_minutes == 1 * per_official
    assert first_hour == 6 * per_official
    assert first_day == 10 * per_official
    assert sum(n for _, n in released) == 20 * per_official  # 10 more on the next day


def test_nothing_goes_out_outside_sending_hours(engine: Engine, settings: Settings) -> None:
    campaign = make_letter_campaign(
        engine, send_from_hour=9, send_until_hour=17, timezone="Europe/Minsk"
    )
    write(engine, settings, campaign, "ana@example.org")
    confirm_all(engine, settings, campaign)
    evening_in_minsk = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)  # 18:30 in Minsk
    assert release(engine, settings, evening_in_minsk) == 0
    morning_in_minsk = datetime(2026, 11, 25, 7, 0, tzinfo=UTC)  # 10:00 in Minsk
    assert release(engine, settings, morning_in_minsk) == 2


def test_a_paused_campaign_or_official_gets_nothing_until_resumed(
    engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")
    confirm_all(engine, settings, campaign)
    with transaction(engine) as session:
        fresh = session.get(LetterCampaign, campaign.id)
        assert fresh is not None
        delivery.set_paused(session, campaign=fresh, official_id=None, paused=True)
    assert release(engine, settings) == 0
    with transaction(engine) as session:
        fresh = session.get(LetterCampaign, campaign.id)
        assert fresh is not None
        delivery.set_paused(session, campaign=fresh, official_id=None, paused=False)
        [envoy] = [
            letter.official_id
            for letter in session.exec(select(Letter)).all()
            if "Dear Ambassador" in letter.body
        ]
        delivery.set_paused(session, campaign=fresh, official_id=envoy, paused=True)
    assert release(engine, settings) == 1
    assert statuses(engine) == ["queued", "waiting"]


def test_cancelling_an_official_withdraws_letters_not_yet_sent(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")
    write(engine, settings, campaign, "boris@example.org", name="Boris Petrov")
    confirm_all(engine, settings, campaign)
    with transaction(engine) as session:
        prosecutor = session.exec(select(Letter.official_id).where(Letter.language == "ru")).first()
        assert prosecutor is not None
    assert release(engine, settings) == 4
    with transaction(engine) as session:
        fresh = session.get(LetterCampaign, campaign.id)
        assert fresh is not None
        assert delivery.cancel_for_official(session, campaign=fresh, official_id=prosecutor) == 2
    send_mail(engine, settings)
    with transaction(engine) as session:
        delivery.record_outcomes(session)
    with Session(engine) as session:
        outcome = dict(
            session.exec(select(Letter.language, Letter.status).where(Letter.sender_id > 0)).all()
        )
    assert outcome == {"ru": "cancelled", "en": "sent"}
    assert not any("prokuratura" in m["To"] for m in smtp.messages)
    assert len([m for m in smtp.messages if "embassy" in m["To"]]) == 2


def test_a_permanent_refusal_marks_the_address_bouncing_and_stops_sending_to_it(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    with Session(engine) as session:
        address = session.exec(
            select(OfficialEmail.address).where(col(OfficialEmail.address).startswith("pg"))
        ).one()
    smtp.handler.rcpt_replies[address] = ["550 5.1.1 No such user here"] * 10
    for n in range(3):
        write(engine, settings, campaign, f"s{n}@example.org", name=f"Supporter {n}")
    confirm_all(engine, settings, campaign)
    assert release(engine, settings) == 6
    send_mail(engine, settings, batch_size=1)
    with transaction(engine) as session:
        delivery.record_outcomes(session)
    with Session(engine) as session:
        status = session.exec(
            select(OfficialEmail.status).where(OfficialEmail.address == address)
        ).one()
        letters = session.exec(select(Letter.to_addr, Letter.status)).all()
        board = dashboard.dashboard(session, campaign)
    assert status == EmailStatus.bouncing
    assert sorted(s for a, s in letters if a != address and s != "waiting") == ["sent"] * 3
    assert [s for a, s in letters if a == address].count("bounced") == 3
    assert board.totals["bounced"] == 3 and board.totals["sent"] == 3
    later = NOON + timedelta(hours=2)
    assert release(engine, settings, later) == 0  # the prosecutor has no working address now


def test_supporters_are_asked_once_two_weeks_after_their_letters_went_out(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")
    confirm_all(engine, settings, campaign)
    release(engine, settings)
    send_mail(engine, settings)
    with transaction(engine) as session:
        delivery.record_outcomes(session)
    with transaction(engine) as session:
        assert replies.ask_about_replies(session, settings=settings) == 0
        in_two_weeks = datetime.now(UTC) + timedelta(days=14, minutes=1)
        assert replies.ask_about_replies(session, settings=settings, now=in_two_weeks) == 1
        assert replies.ask_about_replies(session, settings=settings, now=in_two_weeks) == 0
    with Session(engine) as session:
        asked = session.exec(
            select(OutboxMessage).where(OutboxMessage.template == "reply_check")
        ).all()
    assert [m.to_addr for m in asked] == ["ana@example.org"]
    assert asked[0].status == MailStatus.queued


def test_the_worker_jobs_deliver_confirmed_letters_and_record_them_as_sent(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_letter_campaign(engine)
    write(engine, settings, campaign, "ana@example.org")
    confirm_all(engine, settings, campaign)
    jobs = housekeeping_jobs(engine, settings)
    for job in jobs:
        job()
    send_mail(engine, settings)
    for job in jobs:
        job()
    assert statuses(engine) == ["sent", "sent"]
    with Session(engine) as session:
        assert dashboard.dashboard(session, campaign).totals["sent"] == 2


def test_a_letter_is_plain_text_in_the_html_part_of_the_mail(
    engine: Engine, settings: Settings
) -> None:
    with transaction(engine) as session:
        message_id = emails.letter_to_official(
            session,
            to="pg@prokuratura.example",
            locale="en",
            subject="Free her",
            body='Dear sir,\n\n<script>alert("x")</script> & more\nnext line',
            sender_name="Ana <Bialiatskaya>",
            reply_to="ana@example.org",
            base_url=settings.base_url,
        )
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        # As the receiving server reads it.
        message = email.message_from_bytes(
            build_message(row, settings).as_bytes(), policy=email.policy.default
        )
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "more<br>next line" in html
    assert message["Reply-To"] == "ana@example.org"


def test_the_same_supporter_writing_twice_at_the_same_moment_is_one_sender(
    engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    first_flushed = threading.Event()

    def submit(hold: bool) -> None:
        if not hold:
            first_flushed.wait(5)
        with transaction(engine) as session:
            raw = {"name": "Ana", "country": "LT", "city": "Vilnius", "paragraph": ""}
            letters = compose.prepare(session, campaign, raw, locale="en", today=TODAY)
            assert letters.writer is not None
            holding.submit(
                session,
                settings=settings,
                limiter=Limiter(session),
                campaign=campaign,
                submission=holding.Submission(
                    letters.writer, "same@example.org", letters.drafts, "en", True
                ),
                ip_hash="first" if hold else "second",
            )
            if hold:
                first_flushed.set()
                time.sleep(0.5)

    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(submit, True), pool.submit(submit, False)]:
            done.result()
    with Session(engine) as session:
        assert len(session.exec(select(LetterSender)).all()) == 1
        written = session.exec(
            select(func.sum(LetterCount.count)).where(LetterCount.event == "written")
        ).one()
        assert written == len(session.exec(select(Letter)).all())  # counted once


def test_over_the_limits_letters_follow_the_double_opt_in_rule_and_are_not_counted_as_written(
    engine: Engine, settings: Settings
) -> None:
    """Past the campaign's limits a client's letters are still held (it may be a genuine
    supporter behind a shared address), mailed at low priority up to the hourly cap, then not
    mailed at all; only those within the limits count as written."""
    settings = settings.model_copy(
        update={
            "sign_limit_burst": "2/minute",
            "sign_limit_sustained": "100/hour",
            "over_limit_mail_per_client": "3/hour",
        }
    )
    campaign = make_letter_campaign(engine)
    for n in range(8):
        write(engine, settings, campaign, f"writer{n}@example.org", client="one-client")
    with Session(engine) as session:
        senders = session.exec(select(LetterSender)).all()
        mails = session.exec(
            select(OutboxMessage.priority).where(OutboxMessage.template == "confirm_letters")
        ).all()
        totals = dashboard.dashboard(session, campaign).totals
        letters_each = len(session.exec(select(Letter)).all()) // 8
    assert len(senders) == 8  # every submission held
    assert sorted(mails) == [0, 0, 1, 1, 1]  # 2 normal within the limits, 3 low, then none
    assert letters_each > 0 and totals["written"] == 2 * letters_each
