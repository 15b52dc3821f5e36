"""Confirmed letters trickled out within each official's caps and sending hours, the server's
verdict (sent, bounced) written back, pauses and cancelling, and the organiser's [TEST] letter."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from campaign.core.countries import country_zone
from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.letters import emails
from campaign.letters.models import (
    CampaignStatus,
    CampaignTarget,
    EmailStatus,
    Letter,
    LetterCampaign,
    LetterEvent,
    LetterSender,
    LetterStatus,
    Official,
    OfficialEmail,
)
from campaign.letters.service import webhooks
from campaign.letters.service.campaigns import templates_of
from campaign.letters.service.compose import email_addresses, pick_template
from campaign.letters.service.counting import count
from campaign.letters.service.letter_templates import render_template, sample_context
from campaign.mail import outbox
from campaign.mail.models import MailStatus


def in_sending_hours(campaign: LetterCampaign, now: datetime) -> bool:
    """Whether it is within the campaign's sending hours, in its time zone."""
    hour = now.astimezone(ZoneInfo(campaign.timezone)).hour
    start, end = campaign.send_from_hour, campaign.send_until_hour
    return start <= hour < end if start < end else hour >= start or hour < end


def sending_starts(campaign: LetterCampaign, now: datetime) -> datetime | None:
    """When the campaign's sending hours next begin (in its time zone); None while they last."""
    if in_sending_hours(campaign, now):
        return None
    zone = ZoneInfo(campaign.timezone)
    today = now.astimezone(zone).date()
    # Outside the hours, the next ones begin at the next stroke of the first hour, whether
    # the hours run within a day or across midnight.
    for day in (today, today + timedelta(days=1)):
        start = datetime.combine(day, time(campaign.send_from_hour), tzinfo=zone)
        if start > now:
            return start
    raise AssertionError("sending hours begin within a day")  # pragma: no cover


@dataclass(frozen=True)
class NextSending:
    """When a supporter's confirmed letters start to go out, told on the thank-you page."""

    paused: bool
    starts: datetime | None  # None: now; else on the clock of `country`, or of `zone`
    country: str  # the supporter's country when its clock is known, else ""
    zone: str  # the campaign's time zone


def next_sending(campaign: LetterCampaign, *, country: str, now: datetime) -> NextSending:
    """When letters confirmed now start to go out: in the supporter's time when their country
    has one clock, else in the campaign's (nothing else about them is asked for this)."""
    starts = sending_starts(campaign, now)
    own = country_zone(country, now) if starts is not None else None
    return NextSending(
        paused=campaign.delivery_paused,
        starts=starts.astimezone(own) if starts is not None and own is not None else starts,
        country=country if own is not None else "",
        zone=campaign.timezone,
    )


def allowance(session: Session, campaign: LetterCampaign, official_id: int, now: datetime) -> int:
    """How many more letters the official may get now: a tenth-hour, hourly and daily cap."""
    local = now.astimezone(ZoneInfo(campaign.timezone))
    # Windows hold letters released after their start; the day holds its first instant too.
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(microseconds=1)
    windows = [
        (now - timedelta(minutes=10), math.ceil(campaign.hourly_cap / 6)),
        (now - timedelta(hours=1), campaign.hourly_cap),
        (day_start, campaign.daily_cap),
    ]
    left = campaign.daily_cap
    for since, cap in windows:
        released = session.exec(
            select(func.count()).where(
                Letter.campaign_id == campaign.id,
                Letter.official_id == official_id,
                col(Letter.released_at) > since,
            )
        ).one()
        left = min(left, cap - int(released))
    return max(0, left)


def release_due(session: Session, *, settings: Settings, now: datetime | None = None) -> int:
    """Move confirmed letters into the outbox, as far as each official's caps allow now."""
    now = now or utcnow()
    released = 0
    campaigns = session.exec(
        select(LetterCampaign).where(
            col(LetterCampaign.status).in_([CampaignStatus.open, CampaignStatus.closed]),
            col(LetterCampaign.delivery_paused).is_(False),
        )
    ).all()
    for campaign in campaigns:
        if not in_sending_hours(campaign, now):
            continue
        waiting = session.exec(
            select(Official)
            .join(CampaignTarget, col(CampaignTarget.official_id) == col(Official.id))
            .where(
                CampaignTarget.campaign_id == campaign.id,
                col(CampaignTarget.paused).is_(False),
                select(Letter.id)
                .where(
                    Letter.campaign_id == campaign.id,
                    Letter.official_id == Official.id,
                    Letter.status == LetterStatus.waiting,
                )
                .exists(),
            )
        ).all()
        addresses = email_addresses(session, list(waiting))
        for official in waiting:
            assert official.id is not None
            address = addresses.get(official.id)
            budget = allowance(session, campaign, official.id, now) if address else 0
            if budget:
                released += _release(session, settings, campaign, official.id, address, budget, now)  # type: ignore[arg-type]
    return released


def _release(
    session: Session,
    settings: Settings,
    campaign: LetterCampaign,
    official_id: int,
    address: str,
    budget: int,
    now: datetime,
) -> int:
    letters = session.exec(
        select(Letter, LetterSender)
        .join(LetterSender, col(LetterSender.id) == col(Letter.sender_id))
        .where(
            Letter.campaign_id == campaign.id,
            Letter.official_id == official_id,
            Letter.status == LetterStatus.waiting,
        )
        .order_by(col(Letter.id))
        .limit(budget)
    ).all()
    released = 0
    for letter, sender in letters:
        # Claim the letter first: of two workers releasing at once, one wins each letter.
        claimed = session.execute(
            update(Letter)
            .where(col(Letter.id) == letter.id, col(Letter.status) == LetterStatus.waiting)
            .values(status=LetterStatus.queued, released_at=now, to_addr=address)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        message_id = emails.letter_to_official(
            session,
            to=address,
            locale=letter.language,
            subject=letter.subject,
            body=letter.body,
            sender_name=sender.name,
            reply_to=sender.email,
            base_url=settings.base_url,
        )
        session.execute(
            update(Letter).where(col(Letter.id) == letter.id).values(outbox_id=message_id)
        )
        released += 1
    return released


def send_test_letter(
    session: Session,
    *,
    settings: Settings,
    campaign: LetterCampaign,
    language: str,
    to: str,
    name: str,
    today: date,
) -> bool:
    """Mail the organiser the letter in a language, filled with the sample values, marked [TEST].

    It goes straight to the outbox: no caps, no counters, no official.
    """
    template = pick_template(templates_of(session, campaign), language)
    if template is None:
        return False
    context = sample_context(template.language, today)
    subject = render_template(template.subjects.splitlines()[0], context)
    emails.letter_to_official(
        session,
        to=to,
        locale=template.language,
        subject=f"[TEST] {subject}",
        body=render_template(template.body, context),
        sender_name=name or to,
        reply_to=to,
        base_url=settings.base_url,
    )
    return True


def record_outcomes(session: Session) -> dict[str, int]:
    """Write the outbox's verdicts back to the letters; a 5xx marks the address bouncing.

    Letters still queued to an address that just started bouncing are taken back from the
    outbox and wait for another address (or for the organiser to fix this one).
    """
    queued = session.exec(
        select(Letter).where(
            Letter.status == LetterStatus.queued, col(Letter.outbox_id).is_not(None)
        )
    ).all()
    verdicts = outbox.outcomes(session, [letter.outbox_id for letter in queued if letter.outbox_id])
    tally = {"sent": 0, "bounced": 0}
    bouncing: set[tuple[int, str]] = set()
    sent: list[Letter] = []
    for letter in queued:
        if letter.outbox_id not in verdicts:
            continue
        status, error = verdicts[letter.outbox_id]
        day = utcnow().date()
        if status == MailStatus.sent:
            letter.status, letter.sent_at, event = LetterStatus.sent, utcnow(), LetterEvent.sent
            sent.append(letter)
        elif status == MailStatus.failed:
            letter.status, event = LetterStatus.bounced, LetterEvent.bounced
            if error[:1] == "5":
                bouncing.add((letter.official_id, letter.to_addr))
        else:
            letter.status, event = LetterStatus.cancelled, LetterEvent.cancelled
        tally[event.value] = tally.get(event.value, 0) + 1
        session.add(letter)
        count(
            session,
            campaign_id=letter.campaign_id,
            official_id=letter.official_id,
            event=event,
            day=day,
        )
    for official_id, address in bouncing:
        session.execute(
            update(OfficialEmail)
            .where(
                col(OfficialEmail.official_id) == official_id,
                col(OfficialEmail.address) == address,
                col(OfficialEmail.status) == EmailStatus.active,
            )
            .values(status=EmailStatus.bouncing)
        )
        _withdraw(
            session, (col(Letter.official_id) == official_id) & (col(Letter.to_addr) == address)
        )
    webhooks.letters_sent(session, sent)
    session.flush()
    return tally


def _withdraw(session: Session, condition: object) -> set[int]:
    """Take queued letters matching the condition back from the outbox; they wait again."""
    letters = session.exec(
        select(Letter).where(Letter.status == LetterStatus.queued, condition)  # type: ignore[arg-type]
    ).all()
    withdrawn = outbox.cancel(session, [letter.outbox_id for letter in letters if letter.outbox_id])
    for letter in letters:
        if letter.outbox_id in withdrawn:
            letter.status, letter.outbox_id, letter.released_at = LetterStatus.waiting, None, None
            session.add(letter)
    return {letter.id for letter in letters if letter.id and letter.status == LetterStatus.waiting}


def cancel_for_official(session: Session, *, campaign: LetterCampaign, official_id: int) -> int:
    """Cancel the letters to an official not yet handed to the mail server; how many."""
    _withdraw(
        session, (col(Letter.campaign_id) == campaign.id) & (col(Letter.official_id) == official_id)
    )
    result = session.execute(
        update(Letter)
        .where(
            col(Letter.campaign_id) == campaign.id,
            col(Letter.official_id) == official_id,
            col(Letter.status) == LetterStatus.waiting,
        )
        .values(status=LetterStatus.cancelled)
    )
    cancelled = int(result.rowcount)  # type: ignore[attr-defined]
    if cancelled:
        count(
            session,
            campaign_id=campaign.id,  # type: ignore[arg-type]
            official_id=official_id,
            event=LetterEvent.cancelled,
            delta=cancelled,
        )
    return cancelled


def set_paused(
    session: Session, *, campaign: LetterCampaign, official_id: int | None, paused: bool
) -> None:
    """Pause or resume delivery for the whole campaign, or for one of its officials."""
    if official_id is None:
        campaign.delivery_paused = paused
        session.add(campaign)
    else:
        session.execute(
            update(CampaignTarget)
            .where(
                col(CampaignTarget.campaign_id) == campaign.id,
                col(CampaignTarget.official_id) == official_id,
            )
            .values(paused=paused)
        )
    session.flush()
