"""The campaign's counters: how many letters were written, confirmed, sent, bounced,
cancelled, or sent by supporters themselves, per official and day. Only numbers are kept."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from campaign.core.db import increment, utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.settings import Settings
from campaign.letters.models import LetterCampaign, LetterCount, LetterEvent
from campaign.letters.service.compose import Draft


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
