"""What organisers see of a campaign's letters: counts per official and day, and the queue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from campaign.core.db import utcnow
from campaign.letters.models import (
    CampaignTarget,
    Letter,
    LetterCampaign,
    LetterCount,
    LetterEvent,
    LetterStatus,
    Official,
    OfficialEmail,
)

# Letters that reached (or are on their way to) an official, whichever way they went.
DELIVERED = (LetterEvent.confirmed, LetterEvent.mailto, LetterEvent.printed)
EVENTS = [event.value for event in LetterEvent]


@dataclass
class OfficialRow:
    """One targeted official's line on the dashboard."""

    official: Official
    paused: bool
    addresses: list[OfficialEmail]
    counts: dict[str, int] = field(default_factory=dict)
    waiting: int = 0
    queued: int = 0


@dataclass
class Board:
    rows: list[OfficialRow]
    totals: dict[str, int]
    per_day: list[tuple[date, int]]


@dataclass(frozen=True)
class PublicTally:
    """The campaign's public count, each kind of letter told apart."""

    sent: int  # by e-mail through the site, accepted by the official's mail server
    waiting: int  # confirmed by their writers, waiting for the sending hours or the caps
    themselves: int  # from supporters' own mail programs or printed: counted on their word


def public_tally(session: Session, campaign: LetterCampaign) -> PublicTally:
    """What the campaign's page says was sent, is waiting, and supporters sent themselves."""
    counted = dict(
        session.exec(
            select(LetterCount.event, func.sum(LetterCount.count))
            .where(
                LetterCount.campaign_id == campaign.id,
                col(LetterCount.event).in_(
                    [LetterEvent.sent, LetterEvent.mailto, LetterEvent.printed]
                ),
            )
            .group_by(col(LetterCount.event))
        ).all()
    )
    waiting = session.exec(
        select(func.count()).where(
            Letter.campaign_id == campaign.id,
            col(Letter.status).in_([LetterStatus.waiting, LetterStatus.queued]),
        )
    ).one()
    return PublicTally(
        sent=int(counted.get(LetterEvent.sent, 0)),
        waiting=int(waiting),
        themselves=int(counted.get(LetterEvent.mailto, 0))
        + int(counted.get(LetterEvent.printed, 0)),
    )


def dashboard(session: Session, campaign: LetterCampaign, *, days: int = 30) -> Board:
    """Counts per targeted official, the queue, and letters per day over the last days."""
    targets = session.exec(
        select(Official, CampaignTarget.paused)
        .join(CampaignTarget, col(CampaignTarget.official_id) == col(Official.id))
        .where(CampaignTarget.campaign_id == campaign.id)
        .order_by(col(Official.name))
    ).all()
    ids = [official.id for official, _ in targets]
    addresses: dict[int, list[OfficialEmail]] = defaultdict(list)
    for address in session.exec(
        select(OfficialEmail)
        .where(col(OfficialEmail.official_id).in_(ids))
        .order_by(col(OfficialEmail.id))
    ).all():
        addresses[address.official_id].append(address)
    rows = {
        official.id: OfficialRow(official, paused, addresses[official.id])  # type: ignore[index]
        for official, paused in targets
    }
    totals = dict.fromkeys(EVENTS, 0)
    for official_id, event, n in session.exec(
        select(LetterCount.official_id, LetterCount.event, func.sum(LetterCount.count))
        .where(LetterCount.campaign_id == campaign.id)
        .group_by(col(LetterCount.official_id), col(LetterCount.event))
    ).all():
        totals[event] = totals.get(event, 0) + int(n)
        if official_id in rows:
            rows[official_id].counts[event] = int(n)
    for official_id, status, n in session.exec(
        select(Letter.official_id, Letter.status, func.count())
        .where(
            Letter.campaign_id == campaign.id,
            col(Letter.status).in_([LetterStatus.waiting, LetterStatus.queued]),
        )
        .group_by(col(Letter.official_id), col(Letter.status))
    ).all():
        if official_id in rows:
            setattr(rows[official_id], status, int(n))
    return Board(list(rows.values()), totals, _per_day(session, campaign, days))


def _per_day(session: Session, campaign: LetterCampaign, days: int) -> list[tuple[date, int]]:
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    counted: dict[date, int] = dict(
        session.exec(
            select(col(LetterCount.day), func.sum(LetterCount.count))
            .where(
                LetterCount.campaign_id == campaign.id,
                col(LetterCount.event).in_([event.value for event in DELIVERED]),
                col(LetterCount.day) >= first,
            )
            .group_by(col(LetterCount.day))
        ).all()
    )
    return [
        (first + timedelta(days=i), int(counted.get(first + timedelta(days=i), 0)))
        for i in range(days)
    ]
