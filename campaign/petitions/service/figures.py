"""What the organisers' front page says of petitions: counted signatures today and in the last
seven days, per open petition of one's organisations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from campaign.petitions.models import Petition, PetitionStatus, Signature, SignatureStatus


@dataclass(frozen=True)
class Lately:
    """One petition's counted signatures since the start of the UTC day and in seven days."""

    petition_id: int
    title: str
    today: int
    week: int


def signatures_lately(
    session: Session, *, organisation_ids: set[int], now: datetime
) -> list[Lately]:
    """Every open petition of these organisations with its signatures counted today (UTC) and
    in the last seven days (today included), busiest first; one query."""
    if not organisation_ids:
        return []
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = day_start - timedelta(days=6)
    confirmed = col(Signature.confirmed_at)
    counted = (
        (col(Signature.status) == SignatureStatus.confirmed)
        & col(Signature.suspect).is_(False)
        & (confirmed >= week_start)
    )
    rows = session.exec(
        select(
            Petition.id,
            Petition.title,
            func.sum(case((counted & (confirmed >= day_start), 1), else_=0)),
            func.sum(case((counted, 1), else_=0)),
        )
        .outerjoin(
            Signature,
            (col(Signature.petition_id) == col(Petition.id)) & (confirmed >= week_start),
        )
        .where(
            col(Petition.organisation_id).in_(organisation_ids),
            col(Petition.status) == PetitionStatus.open,
        )
        .group_by(col(Petition.id), col(Petition.title))
    ).all()
    lately = [Lately(pid or 0, title, int(t or 0), int(w or 0)) for pid, title, t, w in rows]
    return sorted(lately, key=lambda row: (-row.week, -row.today, row.title))
