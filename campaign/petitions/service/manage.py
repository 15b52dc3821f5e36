"""Organiser work on petitions: editing, publishing, watching, invalidating."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from campaign.core import audit
from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.petitions.forms import PetitionForm, SignatureFilter
from campaign.petitions.models import Petition, PetitionStatus, Signature, SignatureStatus
from campaign.petitions.service import coalition, webhooks
from campaign.petitions.service.counting import count_signature, signatures_per_day, status_counts


@dataclass
class Trend:
    """Something that looks like a campaign of fake signatures in the last hour."""

    kind: str
    value: str
    count: int


@dataclass
class Dashboard:
    counts: dict[str, int]
    per_day: list[tuple[date, int]]
    trends: list[Trend] = field(default_factory=list)


def all_petitions(session: Session, organisation_ids: set[int]) -> list[Petition]:
    """The petitions of these organisations (an organiser's own), newest first."""
    query = (
        select(Petition)
        .where(col(Petition.organisation_id).in_(organisation_ids))
        .order_by(col(Petition.id).desc())
    )
    return list(session.exec(query).all())


def slug_taken(session: Session, slug: str, *, except_id: int | None = None) -> bool:
    """Whether another petition already uses the slug."""
    query = select(Petition.id).where(Petition.slug == slug)
    if except_id is not None:
        query = query.where(Petition.id != except_id)
    return session.exec(query).first() is not None


def create_petition(
    session: Session, *, form: PetitionForm, user_id: int, organisation_id: int
) -> Petition:
    """Save a new petition as a draft, in the organisation that runs it."""
    petition = Petition(created_by=user_id, organisation_id=organisation_id, **form.__dict__)
    session.add(petition)
    session.flush()
    return petition


def update_petition(session: Session, *, petition: Petition, form: PetitionForm) -> Petition:
    """Change a petition's text, goal or end date."""
    for name, value in form.__dict__.items():
        setattr(petition, name, value)
    petition.updated_at = utcnow()
    session.add(petition)
    session.flush()
    return petition


def set_image(session: Session, *, petition: Petition, name: str | None, directory: Path) -> None:
    """Show a new stored image on the petition (None: no image); the old file is deleted."""
    old = petition.image
    petition.image = name
    petition.updated_at = utcnow()
    session.add(petition)
    session.flush()
    if old and old != name:
        (directory / old).unlink(missing_ok=True)


def record_event(
    session: Session,
    by: audit.Actor | None,
    action: str,
    petition: Petition,
    **details: object,
) -> None:
    """Put what was done to a petition in the audit trail (`by` None: the worker did it)."""
    audit.record(
        session,
        by=by,
        action=action,
        target=f"petition:{petition.id}",
        organisation_id=petition.organisation_id,
        title=petition.title,
        **details,
    )


TRANSITIONS = {
    "publish": ({PetitionStatus.draft, PetitionStatus.closed}, PetitionStatus.open),
    "close": ({PetitionStatus.open}, PetitionStatus.closed),
    "archive": ({PetitionStatus.draft, PetitionStatus.closed}, PetitionStatus.archived),
}


def change_status(session: Session, *, petition: Petition, action: str) -> bool:
    """Publish, close or archive a petition, or pause/resume its signing; False if not allowed."""
    now = utcnow()
    if action in {"pause", "resume"}:
        petition.signing_paused = action == "pause"
    elif action in TRANSITIONS and petition.status in TRANSITIONS[action][0]:
        if action == "publish" and petition.ends_at is not None and petition.ends_at <= now:
            return False  # its last day has passed: change the end date first
        if action == "publish" and petition.won_at is not None:
            return False  # won: a banner that says so beside a sign form would contradict it
        petition.status = TRANSITIONS[action][1]
        if action == "publish":
            petition.published_at = petition.published_at or now
            petition.closed_at = None
        elif action == "close":
            petition.closed_at = now
    else:
        return False
    petition.updated_at = now
    session.add(petition)
    session.flush()
    return True


# -- watching ----------------------------------------------------------------------------------


def dashboard(
    session: Session, *, petition: Petition, trending_threshold: int, days: int = 30
) -> Dashboard:
    """Totals by state, counted signatures per day, and signs of fake signing."""
    return Dashboard(
        counts=status_counts(session, petition),
        per_day=signatures_per_day(session, petition=petition, days=days),
        trends=trending(session, petition=petition, threshold=trending_threshold),
    )


def trending(session: Session, *, petition: Petition, threshold: int) -> list[Trend]:
    """Client hashes and e-mail domains with over `threshold` confirmations in the last hour."""
    rows = session.exec(
        select(Signature.ip_hash, Signature.email).where(
            col(Signature.petition_id) == petition.id,
            col(Signature.status) == SignatureStatus.confirmed,
            col(Signature.confirmed_at) >= utcnow() - timedelta(hours=1),
        )
    ).all()
    by_ip = Counter(ip for ip, _ in rows if ip)
    by_domain = Counter(email.rpartition("@")[2].lower() for _, email in rows)
    trends = [Trend("ip", value, n) for value, n in by_ip.items() if n > threshold]
    trends += [Trend("domain", value, n) for value, n in by_domain.items() if n > threshold]
    return sorted(trends, key=lambda trend: -trend.count)


# -- invalidating ------------------------------------------------------------------------------


def _filtered(petition: Petition, criteria: SignatureFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [col(Signature.petition_id) == petition.id]
    if criteria.ip_hash:
        conditions.append(col(Signature.ip_hash) == criteria.ip_hash)
    if criteria.country:
        conditions.append(col(Signature.country) == criteria.country.upper())
    if criteria.status:
        conditions.append(col(Signature.status) == criteria.status)
    if criteria.suspect_only:
        conditions.append(col(Signature.suspect).is_(True))
    if criteria.created_from:
        conditions.append(col(Signature.created_at) >= criteria.created_from)
    if criteria.created_to:
        conditions.append(col(Signature.created_at) < criteria.created_to)
    return conditions


def _email_test(criteria: SignatureFilter) -> Callable[[str], bool] | None:
    domain = criteria.email_domain.strip().lstrip("@").lower()
    part = criteria.email_contains.strip().lower()
    if not domain and not part:
        return None
    return lambda email: (
        (not domain or email.lower().endswith("@" + domain)) and (part in email.lower())
    )


def _matching(
    session: Session,
    petition: Petition,
    criteria: SignatureFilter,
    columns: tuple[Any, ...],
    *where: ColumnElement[bool],
    lock: bool = False,
) -> list[tuple[Any, ...]]:
    """The `columns` of the signatures the criteria pick.

    Addresses are stored encrypted, so the e-mail criteria are checked here, after decryption,
    on the rows the other criteria leave.
    """
    test = _email_test(criteria)
    query = sql_select(*columns, col(Signature.email)) if test else sql_select(*columns)
    query = query.where(*_filtered(petition, criteria), *where)
    rows = session.execute(query.with_for_update() if lock else query).all()
    if test is None:
        return [tuple(row) for row in rows]
    return [tuple(row[:-1]) for row in rows if test(row[-1])]


def count_matching(
    session: Session, *, petition: Petition, criteria: SignatureFilter
) -> dict[str, int]:
    """How many signatures match, by state, before anything is changed."""
    rows = _matching(session, petition, criteria, (Signature.status, Signature.suspect))
    counts = {status.value: 0 for status in SignatureStatus}
    counts.update(Counter(str(status) for status, _ in rows))
    counts["suspect"] = sum(
        1 for status, suspect in rows if suspect and status != SignatureStatus.invalidated
    )
    return counts


def invalidate_signatures(
    session: Session, *, petition: Petition, criteria: SignatureFilter, reason: str
) -> int:
    """Invalidate every matching signature that is not yet invalid; counts drop to match.

    The rows are locked first (on PostgreSQL), so a confirmation racing with the invalidation
    is either counted and then taken back, or not counted at all.
    """
    rows = _matching(
        session,
        petition,
        criteria,
        (Signature.id, Signature.country, Signature.status, Signature.suspect),
        col(Signature.status) != SignatureStatus.invalidated,
        lock=True,
    )
    counted = Counter(
        country
        for _, country, status, suspect in rows
        if status == SignatureStatus.confirmed and not suspect
    )
    ids = [row_id for row_id, *_ in rows]
    now = utcnow()
    for start in range(0, len(ids), 500):
        session.execute(
            update(Signature)
            .where(col(Signature.id).in_(ids[start : start + 500]))
            .values(
                status=SignatureStatus.invalidated,
                invalidated_at=now,
                invalidation_reason=reason[:300],
            )
            .execution_options(synchronize_session=False)
        )
    for country, n in counted.items():
        count_signature(session, petition_id=petition.id, country=country, delta=-n)  # type: ignore[arg-type]
    return len(ids)


def accept_signatures(
    session: Session, *, settings: Settings, petition: Petition, criteria: SignatureFilter
) -> int:
    """Clear the suspect mark of matching signatures (a shared network, an autofilled form);
    the confirmed ones among them now count, and the organisations their signers ticked hear
    of them as of any confirmed signature."""
    rows = _matching(
        session,
        petition,
        criteria,
        (Signature.id, Signature.country, Signature.status),
        col(Signature.suspect).is_(True),
        col(Signature.status) != SignatureStatus.invalidated,
        lock=True,
    )
    ids = [row_id for row_id, _, _ in rows]
    for start in range(0, len(ids), 500):
        session.execute(
            update(Signature)
            .where(col(Signature.id).in_(ids[start : start + 500]))
            .values(suspect=False)
            .execution_options(synchronize_session=False)
        )
    counted = Counter(country for _, country, status in rows if status == SignatureStatus.confirmed)
    for country, n in counted.items():
        count_signature(session, petition_id=petition.id, country=country, delta=n)  # type: ignore[arg-type]
    now_counted = [row_id for row_id, _, status in rows if status == SignatureStatus.confirmed]
    partners = frozenset(oid for oid, _name in coalition.partners_of(session, petition.id))
    for start in range(0, len(now_counted), 500):
        chunk = now_counted[start : start + 500]
        for signature in session.exec(select(Signature).where(col(Signature.id).in_(chunk))):
            webhooks.signature_confirmed(
                session,
                settings=settings,
                petition=petition,
                signature=signature,
                partners=partners,
            )
    return len(ids)
