"""What the public sees of petitions: which are open, one by its slug, its goal and recent
signers, and the versions its caches are keyed on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from campaign.accounts.models import Organisation
from campaign.core.db import once_per_session, utcnow
from campaign.core.switches import SIGNING_PAUSED, flag_subquery, remember_flag
from campaign.petitions.models import Petition, PetitionStatus, Signature, SignatureStatus


@dataclass(frozen=True)
class PublicSigner:
    """What a signer who opted in shows on the petition page: first name, initial, city."""

    display_name: str
    city: str


def has_ended(petition: Petition) -> bool:
    """Whether the petition's last day of signing has passed."""
    return petition.ends_at is not None and petition.ends_at <= utcnow()


def public_status(petition: Petition) -> str:
    """The state the public sees: an open petition past its end date is closed."""
    return PetitionStatus.closed.value if has_ended(petition) else petition.status


def open_petitions(session: Session) -> list[Petition]:
    """Petitions people can sign now, newest first."""
    query = (
        select(Petition)
        .where(
            Petition.status == PetitionStatus.open,
            or_(col(Petition.ends_at).is_(None), col(Petition.ends_at) > utcnow()),
        )
        .order_by(col(Petition.published_at).desc(), col(Petition.id).desc())
    )
    return list(session.exec(query).all())


# Built once: every public petition request runs it. The site's signing switch and the name of
# the organisation behind the petition come along, so the page needs no second round trip.
_PUBLIC_PETITION = (
    select(Petition, flag_subquery(SIGNING_PAUSED), Organisation.name)
    .join(Organisation, col(Organisation.id) == Petition.organisation_id)
    .where(
        Petition.slug == bindparam("slug"),
        or_(
            col(Petition.status) == PetitionStatus.open,
            col(Petition.status) == PetitionStatus.closed,
        ),
    )
)
_ORGANISATION_NAMES = "organisation_names"


def public_petition(session: Session, slug: str) -> Petition | None:
    """A petition the public may see (open or closed), by its slug: read once per session (a
    surge's signatures share one, core/writes.py; a petition closed meanwhile takes the next
    batch's signatures no more)."""
    return once_per_session(session, ("public_petition", slug), lambda: _read(session, slug))


def _read(session: Session, slug: str) -> Petition | None:
    row = session.exec(_PUBLIC_PETITION, params={"slug": slug}).first()
    if row is None:
        return None
    petition, paused, organisation = row
    remember_flag(session, SIGNING_PAUSED, paused)
    session.info.setdefault(_ORGANISATION_NAMES, {})[petition.organisation_id] = organisation
    return petition


def organisation_name(session: Session, petition: Petition) -> str:
    """The name of the organisation behind the petition: read along with the petition by
    public_petition, asked for only when the petition came another way."""
    names: dict[int, str] = session.info.setdefault(_ORGANISATION_NAMES, {})
    if petition.organisation_id not in names:
        names[petition.organisation_id] = session.exec(
            select(Organisation.name).where(Organisation.id == petition.organisation_id)
        ).one()
    return names[petition.organisation_id]


def petition_choices(session: Session, organisation_ids: set[int]) -> list[tuple[int, str]]:
    """(id, title) of these organisations' petitions not archived, newest first, for linking
    from elsewhere (another organisation's drafts are not theirs to see)."""
    query = (
        select(Petition.id, Petition.title)
        .where(
            Petition.status != PetitionStatus.archived,
            col(Petition.organisation_id).in_(organisation_ids),
        )
        .order_by(col(Petition.id).desc())
    )
    return [(int(pid), title) for pid, title in session.exec(query).all() if pid is not None]


def public_petition_by_id(session: Session, petition_id: int | None) -> Petition | None:
    """A petition the public may see, by id (for pages of other campaigns that link to it)."""
    if petition_id is None:
        return None
    petition = session.get(Petition, petition_id)
    if petition is None or petition.status not in {PetitionStatus.open, PetitionStatus.closed}:
        return None
    return petition


def petition_version(petition: Petition) -> str:
    """Changes whenever what the public sees of a petition changes (text, state or count)."""
    stamp = petition.updated_at.timestamp()
    return f"{petition.id}.{stamp}.{petition.status}.{petition.signature_count}"


def version_tag(*parts: str) -> str:
    """A weak ETag from version strings."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    return f'W/"{digest}"'


def accepts_signatures(petition: Petition, *, site_paused: bool = False) -> bool:
    """Whether the petition can be signed right now."""
    if site_paused or petition.signing_paused or petition.status != PetitionStatus.open:
        return False
    return not has_ended(petition)


def displayed_goal(count: int, goal: int) -> int:
    """The goal to show: the organiser's, then the next 1, 2 or 5 times a power of ten."""
    if count < goal:
        return goal
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude > count and step * magnitude > goal:
                return step * magnitude
        magnitude *= 10


def recent_public_signers(
    session: Session, petition: Petition, limit: int = 10
) -> list[PublicSigner]:
    """The newest counted signers who chose to be shown, as first name and initial."""
    query = (
        select(Signature.name, Signature.city)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.confirmed,
            col(Signature.suspect).is_(False),
            col(Signature.show_publicly).is_(True),
        )
        .order_by(col(Signature.confirmed_at).desc())
        .limit(limit)
    )
    return [PublicSigner(_short_name(name), city) for name, city in session.exec(query).all()]


def _short_name(name: str) -> str:
    parts = name.split()
    if len(parts) < 2:
        return parts[0] if parts else ""
    return f"{parts[0]} {parts[-1][0]}."
