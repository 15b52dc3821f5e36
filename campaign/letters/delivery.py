"""Letters by e-mail: held until the supporter confirms, then trickled out within each
official's caps and sending hours, with the server's verdict (sent, bounced) written back."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign.content.service import text_in
from campaign.core.db import increment, utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.security import email_index, row_for_token, row_token
from campaign.core.settings import Settings
from campaign.letters.campaigns import templates_of
from campaign.letters.compose import Draft, Writer, email_addresses, pick_template
from campaign.letters.models import (
    CampaignStatus,
    CampaignTarget,
    EmailStatus,
    Letter,
    LetterCampaign,
    LetterCount,
    LetterEvent,
    LetterSender,
    LetterStatus,
    Official,
    OfficialEmail,
    SenderStatus,
)
from campaign.letters.templates import render_template, sample_context
from campaign.mail import outbox
from campaign.mail.models import MailStatus

MAX_MAILS_PER_SENDER = 3


class ConfirmOutcome(StrEnum):
    confirmed = "confirmed"
    already = "already"
    invalid = "invalid"


@dataclass(frozen=True)
class Submission:
    """A supporter's request to send their letters through the platform."""

    writer: Writer
    email: str
    drafts: list[Draft]
    locale: str
    ask_about_reply: bool


def count(
    session: Session,
    *,
    campaign_id: int,
    official_id: int,
    event: LetterEvent,
    delta: int = 1,
    day: date | None = None,
) -> None:
    """Move one of the campaign's counters for an official and a day."""
    increment(
        session,
        LetterCount.__table__,  # type: ignore[attr-defined]
        {
            "campaign_id": campaign_id,
            "official_id": official_id,
            "day": day or utcnow().date(),
            "event": event.value,
        },
        "count",
        delta,
    )


def count_own_letters(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    campaign: LetterCampaign,
    drafts: list[Draft],
    channel: str,
    ip_hash: str,
) -> None:
    """Count letters a supporter sends themselves (mailto: or paper); nothing else is kept.

    They are counted on the supporter's word alone, so one client's word counts only so many
    letters per campaign (each letter one unit, however many officials one post names); past
    that nothing is counted, and the supporter's page stays the same.
    """
    limit = settings.letter_count_limit_per_client
    if not drafts:
        return
    room = limiter.take(limit, len(drafts), "letter-count", str(campaign.id), ip_hash)
    event = LetterEvent.mailto if channel == "mailto" else LetterEvent.printed
    for draft in drafts[:room]:
        count(
            session,
            campaign_id=campaign.id,  # type: ignore[arg-type]
            official_id=draft.official_id,
            event=event,
        )


# -- submitting and confirming -------------------------------------------------------------


def submit(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    campaign: LetterCampaign,
    submission: Submission,
    ip_hash: str,
) -> None:
    """Hold the letters and mail the confirmation link; a repeat re-sends it (up to a cap).

    The supporter sees the same page whatever happens here, so no one learns who wrote.
    One letter per supporter and official: once confirmed, a repeat changes nothing.
    """
    assert campaign.id is not None
    limits = [settings.sign_limit_burst, settings.sign_limit_sustained]
    if not limiter.hit_all(limits, "letters", str(campaign.id), ip_hash):
        return
    index = email_index(settings, submission.email)
    sender = session.exec(
        select(LetterSender).where(
            LetterSender.campaign_id == campaign.id, LetterSender.email_hash == index
        )
    ).first()
    if sender is not None:
        if sender.status != SenderStatus.pending or sender.mails_sent >= MAX_MAILS_PER_SENDER:
            return
        if not _replace_pending(session, sender, submission):
            return
    else:
        sender = LetterSender(
            campaign_id=campaign.id,
            email=submission.email,
            email_hash=index,
            name=submission.writer.name,
            city=submission.writer.city,
            country=submission.writer.country,
            locale=submission.locale,
            ask_about_reply=submission.ask_about_reply,
            token_nonce=secrets.token_urlsafe(12),
            ip_hash=ip_hash,
        )
        try:
            with session.begin_nested():
                session.add(sender)
        except IntegrityError:
            return  # the same address at the same moment, through a request that came first
        for draft in submission.drafts:
            count(
                session,
                campaign_id=campaign.id,
                official_id=draft.official_id,
                event=LetterEvent.written,
            )
    for draft in submission.drafts:
        session.add(
            Letter(
                campaign_id=campaign.id,
                sender_id=sender.id,  # type: ignore[arg-type]
                official_id=draft.official_id,
                language=draft.language,
                subject=draft.subject[:300],
                body=draft.body,
            )
        )
    session.flush()
    token = row_token(settings, "letter-sender", sender.id, sender.token_nonce)
    url = f"{settings.base_url}/letters/{campaign.slug}"
    outbox.enqueue(
        session,
        to=sender.email,
        template="confirm_letters",
        context={
            "name": sender.name,
            "title": text_in(session, "letters", campaign, "title", sender.locale),
            "officials": [draft.official.name for draft in submission.drafts],
            "url": f"{url}/confirm?token={token}&lang={sender.locale}",
            "days": settings.signature_confirm_days,
        },
        locale=sender.locale,
        base_url=settings.base_url,
    )


def _replace_pending(session: Session, sender: LetterSender, submission: Submission) -> bool:
    """Put a new submission in place of a pending one; False if the sender changed meanwhile.

    The newest wording wins, but only under a new nonce: every link mailed before is dead, so
    no link ever sends words (or a name) other than those it was mailed for, whoever wrote
    them later with the same address. The swap is conditional on the nonce it replaces, so a
    link used at this very moment either confirms the earlier letters or finds them gone.
    """
    replaced = session.execute(
        update(LetterSender)
        .where(
            col(LetterSender.id) == sender.id,
            col(LetterSender.status) == SenderStatus.pending,
            col(LetterSender.token_nonce) == sender.token_nonce,
            col(LetterSender.mails_sent) < MAX_MAILS_PER_SENDER,
        )
        .values(
            token_nonce=secrets.token_urlsafe(12),
            mails_sent=col(LetterSender.mails_sent) + 1,
            name=submission.writer.name,
            city=submission.writer.city,
            country=submission.writer.country,
            locale=submission.locale,
            ask_about_reply=submission.ask_about_reply,
        )
        .execution_options(synchronize_session=False)
    )
    if not replaced.rowcount:  # type: ignore[attr-defined]
        return False
    session.refresh(sender)
    session.execute(delete(Letter).where(col(Letter.sender_id) == sender.id))
    return True


def sender_for_token(
    session: Session, *, settings: Settings, campaign: LetterCampaign, token: str
) -> LetterSender | None:
    """The sender a confirmation link points to, if the link is genuine and not expired."""
    sender = row_for_token(
        session,
        LetterSender,
        settings=settings,
        purpose="letter-sender",
        token=token,
        max_age=settings.signature_confirm_days * 86400,
        nonce=lambda row: row.token_nonce,
    )
    return sender if sender is not None and sender.campaign_id == campaign.id else None


def letters_of(session: Session, sender: LetterSender) -> list[tuple[Letter, Official]]:
    """A sender's letters with their officials: what their confirmation link sends."""
    rows = session.exec(
        select(Letter, Official)
        .join(Official, col(Official.id) == col(Letter.official_id))
        .where(Letter.sender_id == sender.id)
        .order_by(col(Letter.id))
    ).all()
    return [(letter, official) for letter, official in rows]


def confirm(
    session: Session, *, settings: Settings, campaign: LetterCampaign, token: str
) -> ConfirmOutcome:
    """Use a confirmation link: the held letters join the queue, once, even if used twice."""
    sender = sender_for_token(session, settings=settings, campaign=campaign, token=token)
    if sender is None:
        return ConfirmOutcome.invalid
    # Conditional on the link's nonce too: a later submission that replaced the letters while
    # this link was being used leaves it nothing to confirm (see _replace_pending).
    changed = session.execute(
        update(LetterSender)
        .where(
            col(LetterSender.id) == sender.id,
            col(LetterSender.status) == SenderStatus.pending,
            col(LetterSender.token_nonce) == sender.token_nonce,
        )
        .values(status=SenderStatus.confirmed, confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        now = session.execute(
            select(col(LetterSender.status), col(LetterSender.token_nonce)).where(
                col(LetterSender.id) == sender.id
            )
        ).first()
        used = now is not None and tuple(now) == (SenderStatus.confirmed, sender.token_nonce)
        return ConfirmOutcome.already if used else ConfirmOutcome.invalid
    officials = session.exec(
        select(Letter.official_id).where(
            Letter.sender_id == sender.id, Letter.status == LetterStatus.held
        )
    ).all()
    session.execute(
        update(Letter)
        .where(col(Letter.sender_id) == sender.id, col(Letter.status) == LetterStatus.held)
        .values(status=LetterStatus.waiting)
    )
    for official_id in officials:
        count(
            session,
            campaign_id=sender.campaign_id,
            official_id=official_id,
            event=LetterEvent.confirmed,
        )
    return ConfirmOutcome.confirmed


def purge_unconfirmed(session: Session, *, settings: Settings) -> int:
    """Delete senders (and their held letters) whose confirmation link expired unused."""
    cutoff = utcnow() - timedelta(days=settings.signature_confirm_days)
    result = session.execute(
        delete(LetterSender).where(
            col(LetterSender.status) == SenderStatus.pending, col(LetterSender.created_at) < cutoff
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# -- drip delivery -------------------------------------------------------------------------


def in_sending_hours(campaign: LetterCampaign, now: datetime) -> bool:
    """Whether it is within the campaign's sending hours, in its time zone."""
    hour = now.astimezone(ZoneInfo(campaign.timezone)).hour
    start, end = campaign.send_from_hour, campaign.send_until_hour
    return start <= hour < end if start < end else hour >= start or hour < end


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
        message_id = enqueue_letter(
            session,
            settings=settings,
            to=address,
            subject=letter.subject,
            body=letter.body,
            language=letter.language,
            sender_name=sender.name,
            reply_to=sender.email,
        )
        session.execute(
            update(Letter).where(col(Letter.id) == letter.id).values(outbox_id=message_id)
        )
        released += 1
    return released


def enqueue_letter(
    session: Session,
    *,
    settings: Settings,
    to: str,
    subject: str,
    body: str,
    language: str,
    sender_name: str,
    reply_to: str,
) -> int:
    """Queue a letter in the supporter's name: their name on From, their address for replies;
    the outbox message's id."""
    return outbox.enqueue(
        session,
        to=to,
        template="letter_to_official",
        context={"subject": subject, "body": body, "sender_name": sender_name},
        locale=language,
        headers={"From-Name": sender_name, "Reply-To": reply_to},
        base_url=settings.base_url,
    )


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
    enqueue_letter(
        session,
        settings=settings,
        to=to,
        subject=f"[TEST] {subject}",
        body=render_template(template.body, context),
        language=template.language,
        sender_name=name or to,
        reply_to=to,
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
    for letter in queued:
        if letter.outbox_id not in verdicts:
            continue
        status, error = verdicts[letter.outbox_id]
        day = utcnow().date()
        if status == MailStatus.sent:
            letter.status, letter.sent_at, event = LetterStatus.sent, utcnow(), LetterEvent.sent
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
