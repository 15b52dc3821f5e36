"""Letters by e-mail, held until the supporter confirms: the letters and the confirmation
mail, a repeat that replaces them, the link that releases them to the queue, and expired holds
deleted."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign.content.service import text_in
from campaign.core.db import utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.security import email_index, row_for_token, row_token
from campaign.core.settings import Settings
from campaign.letters import emails
from campaign.letters.models import (
    Letter,
    LetterCampaign,
    LetterEvent,
    LetterSender,
    LetterStatus,
    Official,
    SenderStatus,
)
from campaign.letters.service.compose import Draft, Writer
from campaign.letters.service.counting import count

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
    emails.confirm_letters(
        session,
        to=sender.email,
        locale=sender.locale,
        name=sender.name,
        title=text_in(session, "letters", campaign, "title", sender.locale),
        officials=[draft.official.name for draft in submission.drafts],
        url=f"{url}/confirm?token={token}&lang={sender.locale}",
        days=settings.signature_confirm_days,
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
