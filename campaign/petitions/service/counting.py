"""Counting signatures: the petition's total and per-country tally moved as signatures count or
stop counting, and the counts the organiser's pages, exports and hand-overs show.

Paper sheets (service/paper.py) move the same total and tallies, and `paper_count` besides:
every page that shows the total counts paper too, and the online part is the difference."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, bindparam, event, func, update
from sqlmodel import Session, col, select

from campaign.core.db import increment, once_per_session, utcnow
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


def _count_in_tally(session: Session, petition_id: int, country: str, delta: int) -> None:
    increment(
        session,
        PetitionTally.__table__,  # type: ignore[attr-defined]
        {"petition_id": petition_id, "country": country},
        "count",
        delta,
    )


def count_signature(session: Session, *, petition_id: int, country: str, delta: int) -> None:
    """Move the petition's total and its country's tally by delta, atomically."""
    session.execute(_COUNT, {"petition_id": petition_id, "delta": delta})
    _count_in_tally(session, petition_id, country, delta)


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
    _count_in_tally(session, petition_id, country, delta)


_AT_COMMIT = "campaign_counts_at_commit"


def count_at_commit(session: Session, *, petition_id: int, country: str, delta: int) -> None:
    """As count_signature, but added up in the session and written when it commits: one UPDATE
    of the petition and one of each country's tally for every confirmation the transaction
    holds (a surge's confirmations commit together, core/writes.py), and the petition's row,
    which every confirmation needs, is locked only for the commit's last moment."""
    pending: Counter[tuple[int, str]] | None = session.info.get(_AT_COMMIT)
    if pending is None:
        pending = session.info[_AT_COMMIT] = Counter()
        event.listen(session, "before_commit", _write_counts)
        event.listen(session, "after_rollback", _forget_counts)
    pending[(petition_id, country)] += delta


def _write_counts(session: Session) -> None:
    pending: Counter[tuple[int, str]] = session.info.pop(_AT_COMMIT, Counter())
    totals: Counter[int] = Counter()
    for (petition_id, _country), delta in pending.items():
        totals[petition_id] += delta
    # Petitions, then tallies, each in one order: two transactions never wait in a circle.
    for petition_id, delta in sorted(totals.items()):
        session.execute(_COUNT, {"petition_id": petition_id, "delta": delta})
    for (petition_id, country), delta in sorted(pending.items()):
        _count_in_tally(session, petition_id, country, delta)


def _forget_counts(session: Session) -> None:
    session.info.pop(_AT_COMMIT, None)


def current_total(session: Session, petition_id: int) -> int:
    """The petition's total as this transaction sees it: as read first (once per session),
    with the counts waiting for the commit."""
    stored = once_per_session(
        session,
        ("petition_total", petition_id),
        lambda: session.exec(
            select(Petition.signature_count).where(Petition.id == petition_id)
        ).one(),
    )
    pending: Counter[tuple[int, str]] = session.info.get(_AT_COMMIT, Counter())
    return int(stored) + sum(delta for (key, _c), delta in pending.items() if key == petition_id)


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
