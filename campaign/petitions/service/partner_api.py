"""What an organisation's partner API token may read: its own petitions and the coalition
petitions it is a partner in, and of their signers only the counted ones who ticked that
organisation's "may contact me" box, as people deduplicated by address."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, func, or_, select, type_coerce
from sqlmodel import Session, col

from campaign.accounts.models import ApiToken
from campaign.core import audit
from campaign.core.crypto import keyring
from campaign.core.security import partner_person_id
from campaign.core.settings import Settings
from campaign.hooks import service as hooks
from campaign.petitions.exports import host_consenting, partner_consenting
from campaign.petitions.models import (
    Petition,
    PetitionPartner,
    PetitionStatus,
    Signature,
    SignatureStatus,
)


@dataclass(frozen=True)
class Person:
    """One supporter as an organisation's systems know them: named by `partner_person_id`,
    described by their newest signature in the organisation's reach."""

    id: str
    name: str
    email: str
    country: str
    city: str
    locale: str
    first_signed: datetime
    last_signed: datetime


@dataclass(frozen=True)
class SignatureRow:
    id: int
    person_id: str
    signed_at: datetime
    confirmed_at: datetime


def visible_petitions(organisation_id: int) -> Any:
    """The petitions a token sees: its organisation's own, and the published coalition
    petitions it is a partner in."""
    partnered = select(col(PetitionPartner.petition_id)).where(
        col(PetitionPartner.organisation_id) == organisation_id
    )
    return or_(
        col(Petition.organisation_id) == organisation_id,
        and_(col(Petition.id).in_(partnered), col(Petition.status) != PetitionStatus.draft.value),
    )


def consenting(organisation_id: int) -> Any:
    """The signatures (joined with their petition) whose signer may be passed to this
    organisation: counted, not erased, and its own box ticked (the host's updates box, not
    unsubscribed since; a partner's "may contact me" box)."""
    host = and_(
        col(Petition.organisation_id) == organisation_id,
        host_consenting(),
        col(Signature.unsubscribed_at).is_(None),
    )
    return and_(
        visible_petitions(organisation_id),
        col(Signature.status) == SignatureStatus.confirmed.value,
        col(Signature.suspect).is_(False),
        col(Petition.anonymised_at).is_(None),
        col(Signature.email_hash).not_like("erased-%"),
        or_(host, partner_consenting(organisation_id)),
    )


def petitions_page(
    session: Session, organisation_id: int, *, offset: int, limit: int
) -> tuple[list[Petition], int]:
    """A page of the petitions a token sees, newest first, and how many there are."""
    where = visible_petitions(organisation_id)
    total = session.execute(select(func.count()).select_from(Petition).where(where)).scalar_one()
    rows = session.execute(
        select(Petition).where(where).order_by(col(Petition.id).desc()).offset(offset).limit(limit)
    ).scalars()
    return list(rows), int(total)


def petition_for(session: Session, organisation_id: int, petition_id: int) -> Petition | None:
    """One petition the token sees, or None (another organisation's is not told apart)."""
    found = session.execute(
        select(Petition).where(col(Petition.id) == petition_id, visible_petitions(organisation_id))
    ).scalar_one_or_none()
    return found


def _signers(organisation_id: int) -> Any:
    return (
        select(col(Signature.email_hash))
        .join(Petition, col(Petition.id) == col(Signature.petition_id))
        .where(consenting(organisation_id))
    )


def people_page(
    session: Session, settings: Settings, organisation_id: int, *, offset: int, limit: int
) -> tuple[list[Person], int]:
    """A page of the people who let the organisation contact them, in the order they first
    signed, and how many there are."""
    total = session.execute(
        select(func.count(func.distinct(col(Signature.email_hash))))
        .join(Petition, col(Petition.id) == col(Signature.petition_id))
        .where(consenting(organisation_id))
    ).scalar_one()
    grouped = _grouped(organisation_id).order_by(func.min(col(Signature.id)))
    rows = session.execute(grouped.offset(offset).limit(limit)).all()
    return _people(session, settings, organisation_id, rows), int(total)


def person(
    session: Session, settings: Settings, organisation_id: int, person_id: str
) -> Person | None:
    """The person of this id among those who let the organisation contact them, or None.

    The id cannot be reversed: it is found among the people the organisation's systems were
    given (by a list of people or signatures, or a webhook), which are the only ids it knows.
    """
    index = hooks.shared_index(session, organisation_id=organisation_id, person_id=person_id)
    if index is None:
        return None
    rows = session.execute(
        _grouped(organisation_id).where(col(Signature.email_hash) == index)
    ).all()
    found = _people(session, settings, organisation_id, rows)
    return found[0] if found else None


def _grouped(organisation_id: int) -> Any:
    """Per address: its newest signature in reach, and when it first and last signed."""
    moment = func.coalesce(col(Signature.confirmed_at), col(Signature.created_at))
    return (
        select(
            col(Signature.email_hash),
            func.max(col(Signature.id)),
            func.min(moment),
            func.max(moment),
        )
        .join(Petition, col(Petition.id) == col(Signature.petition_id))
        .where(consenting(organisation_id))
        .group_by(col(Signature.email_hash))
    )


def _people(
    session: Session, settings: Settings, organisation_id: int, rows: Sequence[Any]
) -> list[Person]:
    """The people of grouped rows, their details read from each one's newest signature in one
    query and decrypted in one loop (no query, and no column type's layers, per person)."""
    if not rows:
        return []
    ring = keyring()
    name, email, city = (ring.text_opener(f"signature.{f}") for f in ("name", "email", "city"))
    columns = (
        col(Signature.id),
        type_coerce(Signature.name, Text),
        type_coerce(Signature.email, Text),
        col(Signature.country),
        type_coerce(Signature.city, Text),
        col(Signature.locale),
    )
    newest_ids = [row[1] for row in rows]
    details = {
        row[0]: row[1:]
        for row in session.execute(select(*columns).where(col(Signature.id).in_(newest_ids)))
    }
    people = []
    given = []
    for index, newest, first, last in rows:
        stored_name, stored_email, country, stored_city, locale = details[newest]
        people.append(
            Person(
                id=partner_person_id(settings, organisation_id, index),
                name=name(stored_name),
                email=email(stored_email),
                country=country,
                city=city(stored_city or ""),
                locale=locale,
                first_signed=first,
                last_signed=last,
            )
        )
        given.append((people[-1].id, index))
    hooks.shared(session, organisation_id=organisation_id, people=given)
    return people


def signatures_page(
    session: Session,
    settings: Settings,
    petition: Petition,
    organisation_id: int,
    *,
    offset: int,
    limit: int,
) -> tuple[list[SignatureRow], int]:
    """A page of a petition's signatures whose signer let the organisation contact them, in
    the order they were given, and how many there are."""
    where = and_(col(Signature.petition_id) == petition.id, consenting(organisation_id))
    total = session.execute(
        select(func.count())
        .select_from(Signature)
        .join(Petition, col(Petition.id) == col(Signature.petition_id))
        .where(where)
    ).scalar_one()
    rows = session.execute(
        select(
            col(Signature.id),
            col(Signature.email_hash),
            col(Signature.created_at),
            col(Signature.confirmed_at),
        )
        .join(Petition, col(Petition.id) == col(Signature.petition_id))
        .where(where)
        .order_by(col(Signature.id))
        .offset(offset)
        .limit(limit)
    ).all()
    found = [
        SignatureRow(
            id=sid,
            person_id=partner_person_id(settings, organisation_id, index),
            signed_at=signed,
            confirmed_at=confirmed or signed,
        )
        for sid, index, signed, confirmed in rows
    ]
    given = [(row.person_id, index) for row, (_sid, index, _s, _c) in zip(found, rows, strict=True)]
    hooks.shared(session, organisation_id=organisation_id, people=given)
    return found, int(total)


def record_read(
    session: Session, token: ApiToken, *, what: str, target: str, page: int, records: int
) -> None:
    """Put a page of personal data read through the API in the organisation's trail, naming
    the token: it is an export, one entry per page."""
    audit.record(
        session,
        by=None,
        action="partner_api.read",
        target=target,
        organisation_id=token.organisation_id,
        export=what,
        token=token.name,
        prefix=token.prefix,
        page=page,
        records=records,
    )
