"""Retention for letters: RETENTION_MONTHS after a letter campaign closes, the worker erases its
senders' names, addresses, cities and notes, and the letters' texts (which carry the sender's
name). Counters per official and day (LetterCount) stay, so the dashboard and exports hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, literal, or_, update
from sqlmodel import Session, col, select

from campaign.db import months_after, utcnow
from campaign.letters.models import CampaignStatus, Letter, LetterCampaign, LetterSender
from campaign.mail import outbox
from campaign.retention import mark_erased
from campaign.settings import Settings


def closed_on(campaign: LetterCampaign, now: datetime) -> datetime | None:
    """When the campaign stopped taking letters: its closing date, or when it was closed."""
    if campaign.closes_at is not None and campaign.closes_at <= now:
        return campaign.closes_at
    if campaign.status == CampaignStatus.closed:
        return campaign.updated_at
    return None


def erase_senders(session: Session, *where: Any) -> int:
    """Erase who wrote, and the texts of their letters (signed with their name); counters stay."""
    ids = select(LetterSender.id).where(*where)
    # The outbox holds its own copy of each letter, and the sender's address as Reply-To.
    outbox.forget(session, select(Letter.outbox_id).where(col(Letter.sender_id).in_(ids)))
    session.execute(
        update(Letter).where(col(Letter.sender_id).in_(ids)).values(body="", subject="")
    )
    result = session.execute(
        update(LetterSender)
        .where(*where)
        .values(
            name="",
            email="",
            city="",
            reply_note="",
            ip_hash="",
            token_nonce="",
            email_hash=literal("erased-", String) + cast(LetterSender.id, String),
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def anonymise_due(session: Session, *, settings: Settings, now: datetime | None = None) -> int:
    """Erase what is personal in every due campaign; the number of senders erased."""
    now = now or utcnow()
    candidates = session.exec(
        select(LetterCampaign).where(
            col(LetterCampaign.anonymised_at).is_(None),
            or_(
                col(LetterCampaign.status) == CampaignStatus.closed,
                col(LetterCampaign.closes_at) <= now,
            ),
        )
    ).all()
    erased = 0
    for campaign in candidates:
        closed = closed_on(campaign, now)
        if closed is None or months_after(closed, settings.retention_months) > now:
            continue
        count = erase_senders(session, col(LetterSender.campaign_id) == campaign.id)
        target = f"letters:{campaign.id}"
        mark_erased(
            session, campaign, target=target, count=count, months=settings.retention_months, now=now
        )
        erased += count
    session.flush()
    return erased
