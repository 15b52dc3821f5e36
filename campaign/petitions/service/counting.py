"""Counting signatures: the petition's total and per-country tally moved as signatures count or
stop counting, and the counts the organiser's pages, exports and hand-overs show.

Paper sheets (service/paper.py) move the same total and tallies, and `paper_count` besides:
every page that shows the total counts paper too, and the online part is the difference."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, func, update
from sqlmodel import Session, col, select

from campaign.core.db import increment, utcnow
from campaign.petitions.models import Petition, PetitionTally, Signature, SignatureStatus

# Built once, run by every confirmation. On the table, not the model: an ORM update also looks
# for the rows' objects in the session to change them in memory, a tenth of a confirmation's
# CPU, and nothing reads those objects after it.
_PETITION = Petition.__table__  # type: ignore[attr-defined]
_COUNT = (
    update(_PETITION)
    .where(_PETITION.c.id == bindparam("petition_id"))
    .values(signature_count=_PETITION.c.signature_count + bindparam("delta"))
)


def count_signature(session: Session, *, petition_id: int, country: str, delta: int) -> None:
    """Move the petition's total and its country's tally by delta, atomically."""
    session.execute(_COUNT, {"petition_id": petition_id, "delta": delta})
    increment(
        session,
        PetitionTally.__table__,  # type: ignore[attr-defined]
        {"petition_id": petition_id, "country": country},
        "count",
        delta,
    )


_PAPER = (
    update(_PETITION)
    .where(_PETITION.c.id == bindparam("petition_id"))
    .values(
        signature_count=_PETITION.c.signature_count + bindparam("delta"),
        paper_count=_PETITION.c.paper_count + bindparam("delta"),
        # A sheet may move the tallies by country and leave the total as it was (undone,
        # entered again elsewhere): the public pages' version must move all the same.
        updated_at=bindparam("now", type_=_PETITION.c.updated_at.type),
    )
)


def count_paper(session: Session, *, petition_id: int, country: str, delta: int) -> None:
    """Move the total, the paper part of it and the country's tally by delta, atomically."""
    session.execute(_PAPER, {"petition_id": petition_id, "delta": delta, "now": utcnow()})
    increment(
        session,
        PetitionTally.__table__,  # type: ignore[attr-defined]
        {"petition_id": petition_id, "country": country},
        "count",
        delta,
    )


def current_total(session: Session, petition_id: int) -> int:
    """The petition's total as this transaction sees it (after its own count_signature)."""
    return int(
        session.exec(select(Petition.signature_count).where(Petition.id == petition_id)).one()
    )


def tallies(session: Session, petition: Petition) -> list[tuple[str, int]]:
    """Counted signatures per country, largest first."""
    query = (
        select(PetitionTally.country, PetitionTally.count)
        .where(PetitionTally.petition_id == petition.id, PetitionTally.count > 0)
        .order_by(col(PetitionTally.count).desc(), col(PetitionTally.country))
    )
    return [(country, count) for country, count in session.exec(query).all()]


def status_counts(session: Session, petition: Petition) -> dict[str, int]:
    """Pending, confirmed (counted), suspect and invalidated signatures of a petition."""
    rows = session.exec(
        select(Signature.status, Signature.suspect, func.count())
        .where(Signature.petition_id == petition.id)
        .group_by(col(Signature.status), col(Signature.suspect))
    ).all()
    counts = {"pending": 0, "confirmed": 0, "suspect": 0, "invalidated": 0}
    for status, suspect, n in rows:
        if status == SignatureStatus.invalidated:
            counts["invalidated"] += n
        elif suspect:
            counts["suspect"] += n
        else:
            counts[status] += n
    return counts


def signatures_per_day(
    session: Session, *, petition: Petition, days: int | None = None
) -> list[tuple[date, int]]:
    """Counted signatures per UTC day of confirmation (every day of the span, zeros included)."""
    day = func.date(Signature.confirmed_at)
    query = select(day, func.count()).where(_counted(petition)).group_by(day).order_by(day)
    if days is not None:
        query = query.where(col(Signature.confirmed_at) >= utcnow() - timedelta(days=days - 1))
    found = {_as_date(d): int(n) for d, n in session.exec(query).all()}
    if not found:
        return []
    first = min(found) if days is None else (utcnow() - timedelta(days=days - 1)).date()
    last = utcnow().date()
    span = (last - first).days + 1
    return [(first + timedelta(n), found.get(first + timedelta(n), 0)) for n in range(span)]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _counted(petition: Petition) -> ColumnElement[bool]:
    return and_(
        col(Signature.petition_id) == petition.id,
        col(Signature.status) == SignatureStatus.confirmed,
        col(Signature.suspect).is_(False),
    )
