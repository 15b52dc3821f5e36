"""What the organisers' front page says of letters to officials: how many wait to go out and
how many went, over the campaigns of one's organisations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from campaign.letters.models import (
    Letter,
    LetterCampaign,
    LetterCount,
    LetterEvent,
    LetterStatus,
)


@dataclass(frozen=True)
class InFlight:
    queued: int  # confirmed and waiting for the official's caps and hours, or in the outbox
    sent: int  # accepted by the officials' mail servers, all time


def letters_in_flight(session: Session, *, organisation_ids: set[int]) -> InFlight:
    """Letters waiting to go and letters sent, over these organisations' campaigns."""
    if not organisation_ids:
        return InFlight(0, 0)
    campaigns = select(LetterCampaign.id).where(
        col(LetterCampaign.organisation_id).in_(organisation_ids)
    )
    queued = session.exec(
        select(func.count()).where(
            col(Letter.campaign_id).in_(campaigns),
            col(Letter.status).in_([LetterStatus.waiting, LetterStatus.queued]),
        )
    ).one()
    # The counters, not the letters: sent letters are erased with their campaign's retention.
    sent = session.exec(
        select(func.coalesce(func.sum(LetterCount.count), 0)).where(
            col(LetterCount.campaign_id).in_(campaigns),
            col(LetterCount.event) == LetterEvent.sent,
        )
    ).one()
    return InFlight(int(queued), int(sent))
