"""Answers from officials: recorded by organisers, shown on the campaign page, and asked
about by supporters two weeks after their letters went out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from campaign.content.service import text_in
from campaign.core.db import utcnow
from campaign.core.images import ImageError, store_image
from campaign.core.pdfs import PdfUploadError, store_pdf
from campaign.core.security import RowLink
from campaign.core.settings import Settings
from campaign.letters import emails
from campaign.letters.models import (
    Letter,
    LetterCampaign,
    LetterSender,
    LetterStatus,
    Official,
    OfficialReply,
    SenderStatus,
)

FOLLOW_UP_AFTER = timedelta(days=14)
REPLY_LINK_DAYS = 60
# The "did they answer?" link; erasing the sender blanks the nonce, and with it the link.
REPLY_LINK = RowLink(
    LetterSender, "letter-reply", REPLY_LINK_DAYS * 86400, lambda row: row.token_nonce
)
SUMMARY_MAX = 2000
FILE_PATTERN = re.compile(r"^[0-9a-f]{32}\.(jpg|pdf)$")


@dataclass(frozen=True)
class ShownReply:
    """A reply as the campaign page shows it."""

    id: int
    official: str
    received_on: date
    summary: str
    file_name: str | None


def store_reply_file(data: bytes, directory: Path) -> str:
    """Keep a scanned reply: an image re-encoded without metadata, or a PDF's pages rewritten
    into a new file without metadata, attachments or scripts (anyone may download it)."""
    if not data.startswith(b"%PDF-"):
        return store_image(data, directory)
    try:
        return store_pdf(data, directory)
    except PdfUploadError as exc:
        raise ImageError(str(exc)) from exc


def reply_file_path(directory: Path, name: str) -> Path | None:
    """The stored file for a name made by store_reply_file, or None for anything else."""
    if not FILE_PATTERN.match(name):
        return None
    path = directory / name
    return path if path.is_file() else None


def record_reply(
    session: Session,
    *,
    campaign: LetterCampaign,
    official_id: int,
    received_on: date,
    summary: str,
    file_name: str | None,
) -> OfficialReply:
    """Add an official's answer to the campaign."""
    reply = OfficialReply(
        campaign_id=campaign.id,  # type: ignore[arg-type]
        official_id=official_id,
        received_on=received_on,
        summary=summary[:SUMMARY_MAX],
        file_name=file_name,
    )
    session.add(reply)
    session.flush()
    return reply


def replies_of(session: Session, campaign: LetterCampaign) -> list[ShownReply]:
    """The campaign's recorded replies, newest first."""
    rows = session.exec(
        select(OfficialReply, Official.name)
        .join(Official, col(Official.id) == col(OfficialReply.official_id))
        .where(OfficialReply.campaign_id == campaign.id)
        .order_by(col(OfficialReply.received_on).desc(), col(OfficialReply.id).desc())
    ).all()
    return [
        ShownReply(reply.id, name, reply.received_on, reply.summary, reply.file_name)  # type: ignore[arg-type]
        for reply, name in rows
    ]


def reply_of(session: Session, campaign: LetterCampaign, reply_id: int) -> OfficialReply | None:
    """One of the campaign's replies."""
    reply = session.get(OfficialReply, reply_id)
    return reply if reply is not None and reply.campaign_id == campaign.id else None


# -- asking supporters ---------------------------------------------------------------------


def reply_token(settings: Settings, sender: LetterSender) -> str:
    """The signed token of the "did they answer?" link."""
    return REPLY_LINK.token(settings, sender)


def sender_for_reply_token(
    session: Session, *, settings: Settings, campaign: LetterCampaign, token: str
) -> LetterSender | None:
    """The supporter a "did they answer?" link was sent to, if the link is genuine."""
    sender = REPLY_LINK.row(session, settings, token)
    return sender if sender is not None and sender.campaign_id == campaign.id else None


def ask_about_replies(
    session: Session, *, settings: Settings, now: datetime | None = None, limit: int = 200
) -> int:
    """Mail each supporter who agreed, once, two weeks after their letters were sent."""
    cutoff = (now or utcnow()) - FOLLOW_UP_AFTER
    due = session.exec(
        select(LetterSender, LetterCampaign)
        .join(LetterCampaign, col(LetterCampaign.id) == col(LetterSender.campaign_id))
        .where(
            LetterSender.status == SenderStatus.confirmed,
            col(LetterSender.followup_sent).is_(False),
            col(LetterSender.ask_about_reply).is_(True),
            select(Letter.id)
            .where(
                Letter.sender_id == LetterSender.id,
                Letter.status == LetterStatus.sent,
                col(Letter.sent_at) <= cutoff,
            )
            .exists(),
        )
        .order_by(col(LetterSender.id))
        .limit(limit)
    ).all()
    for sender, campaign in due:
        claimed = session.execute(
            update(LetterSender)
            .where(col(LetterSender.id) == sender.id, col(LetterSender.followup_sent).is_(False))
            .values(followup_sent=True)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        token = reply_token(settings, sender)
        emails.reply_check(
            session,
            to=sender.email,
            locale=sender.locale,
            name=sender.name,
            title=text_in(session, "letters", campaign, "title", sender.locale),
            url=f"{settings.base_url}/letters/{campaign.slug}/reply?token={token}"
            f"&lang={sender.locale}",
            base_url=settings.base_url,
        )
    return len(due)


def report_reply(session: Session, *, sender: LetterSender, answered: bool, note: str) -> None:
    """Store what a supporter says about an answer to their letters (the latest word counts)."""
    sender.reply_reported = "yes" if answered else "no"
    sender.reply_note = note.replace("\r\n", "\n").strip()[:SUMMARY_MAX] if answered else ""
    session.add(sender)
    session.flush()


def reported_replies(session: Session, campaign: LetterCampaign) -> dict[str, int]:
    """How many supporters said they got an answer, and how many said they did not."""
    rows = session.exec(
        select(LetterSender.reply_reported, func.count())
        .where(LetterSender.campaign_id == campaign.id, LetterSender.reply_reported != "")
        .group_by(col(LetterSender.reply_reported))
    ).all()
    counts = {"yes": 0, "no": 0}
    counts.update({answer: int(n) for answer, n in rows})
    return counts


def reply_notes(session: Session, campaign: LetterCampaign, limit: int = 50) -> list[str]:
    """What supporters wrote about answers they got, newest first (no names)."""
    rows = session.exec(
        select(LetterSender.reply_note)
        .where(LetterSender.campaign_id == campaign.id, LetterSender.reply_note != "")
        .order_by(col(LetterSender.id).desc())
        .limit(limit)
    ).all()
    return list(rows)
