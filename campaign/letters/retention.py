"""Retention for letters: RETENTION_MONTHS after a letter campaign closes, the worker erases its
senders' names, addresses, cities and notes, and the letters' texts (which carry the sender's
name). Counters per official and day (LetterCount) stay, so the dashboard and exports hold. Also
what the letters hold about one address, for the supporter's own page (privacy/registry.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from campaign.accounts.models import Organisation
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.core.settings import Settings
from campaign.letters.models import CampaignStatus, Letter, LetterCampaign, LetterSender
from campaign.mail import outbox
from campaign.privacy.retention import erase_due, forget_people


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
    return forget_people(session, LetterSender, *where, reply_note="")


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
    return erase_due(
        session,
        candidates,
        kind="letters",
        closed_on=closed_on,
        erase=lambda campaign: erase_senders(session, col(LetterSender.campaign_id) == campaign.id),
        settings=settings,
        now=now,
    )


def holdings(session: Session, index: str) -> list[dict[str, Any]]:
    """Every time the address behind this keyed hash wrote, with the letters' texts."""
    senders = session.exec(
        select(LetterSender, LetterCampaign.title, Organisation.name)
        .join(LetterCampaign, col(LetterCampaign.id) == LetterSender.campaign_id)
        .join(Organisation, col(Organisation.id) == LetterCampaign.organisation_id)
        .where(LetterSender.email_hash == index)
        .order_by(col(LetterSender.id))
    ).all()
    held = []
    for sender, title, organisation in senders:
        letters = session.exec(select(Letter).where(Letter.sender_id == sender.id)).all()
        held.append(
            {
                "campaign": title,
                "organisation": organisation,
                "name": sender.name,
                "email": sender.email,
                "country": sender.country,
                "city": sender.city,
                "written_at": sender.created_at.isoformat(),
                "reply_reported": sender.reply_reported,
                "reply_note": sender.reply_note,
                "letters": [
                    {"subject": letter.subject, "body": letter.body, "status": letter.status}
                    for letter in letters
                ],
            }
        )
    return held


def holdings_lines(held: list[dict[str, Any]]) -> list[Markup]:
    """One line per campaign written to, for the page."""
    return [
        # The translated text is ours; Markup's % and + escape the supporter's data.
        Markup(_('Letters for "%(title)s"')) % {"title": s["campaign"]}  # noqa: S704
        + f": {s['name']}"
        for s in held
    ]


def erase_address(session: Session, index: str) -> int:
    """Erase who wrote with this address, in every campaign; the counters stay."""
    return erase_senders(session, col(LetterSender.email_hash) == index)
