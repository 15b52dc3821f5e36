"""Coalition petitions: partner organisations named on a petition, each with its own "may
contact me" box on the sign form, off by default, and each seeing only the signers who ticked
it. The total counts everyone."""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, delete, func, select

from campaign.accounts.models import Organisation
from campaign.core.db import utcnow
from campaign.petitions.models import (
    PartnerConsent,
    Petition,
    PetitionPartner,
    PetitionStatus,
    Signature,
    SignatureStatus,
)

MAX_PARTNERS = 20


def partners_of(session: Session, petition_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of a petition's partner organisations, by name."""
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .join(PetitionPartner, col(PetitionPartner.organisation_id) == Organisation.id)
        .where(PetitionPartner.petition_id == petition_id)
        .order_by(col(Organisation.name))
    ).all()
    return [(int(oid), name) for oid, name in rows if oid is not None]


def partner_choices(session: Session, host_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of the organisations a petition may name as partners: all but its host."""
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id != host_id)
        .order_by(col(Organisation.name))
    ).all()
    return [(int(oid), name) for oid, name in rows if oid is not None]


def set_partners(
    session: Session, petition: Petition, organisation_ids: Collection[int]
) -> tuple[set[int], set[int]]:
    """Make these organisations the petition's partners (the host is never its own partner);
    the partners (added, taken off). The public page shows the change at once."""
    wanted = {oid for oid in organisation_ids if oid != petition.organisation_id}
    current = {oid for oid, _name in partners_of(session, petition.id)}
    if wanted == current:
        return set(), set()
    session.exec(
        delete(PetitionPartner).where(
            col(PetitionPartner.petition_id) == petition.id,
            col(PetitionPartner.organisation_id).in_(current - wanted),
        )
    )
    for oid in sorted(wanted - current):
        session.add(PetitionPartner(petition_id=petition.id, organisation_id=oid))  # type: ignore[arg-type]
    petition.updated_at = utcnow()
    session.add(petition)
    session.flush()
    return wanted - current, current - wanted


def record_consents(
    session: Session, *, petition: Petition, signature_id: int, ticked: Collection[int]
) -> None:
    """Keep which partners a new signer agreed may contact them: only the petition's own
    partners count, whatever else a forged form names."""
    if not ticked:
        return
    partners = {oid for oid, _name in partners_of(session, petition.id)}
    for oid in sorted(set(ticked) & partners):
        session.add(PartnerConsent(signature_id=signature_id, organisation_id=oid))
    session.flush()


def asked_partners(session: Session, signature_id: int | None) -> list[tuple[int, str]]:
    """(id, name) of the partners whose box the sign form ticked for this signature."""
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .join(PartnerConsent, col(PartnerConsent.organisation_id) == Organisation.id)
        .where(PartnerConsent.signature_id == signature_id)
        .order_by(col(Organisation.name))
    ).all()
    return [(int(oid), name) for oid, name in rows if oid is not None]


def keep_consents(session: Session, *, signature_id: int, kept: Collection[int]) -> None:
    """On confirming, keep only the partners whose box the mailbox's owner ticked again: the
    sign form alone may be a stranger's, who typed someone else's address."""
    params: dict[str, Any] = {"signature_id": signature_id}
    if kept:
        params["kept"] = sorted(set(kept))
    session.execute(_dropped_consents(keeping=bool(kept)), params)


@cache
def _dropped_consents(*, keeping: bool) -> Any:
    """Built once: every confirmation runs it. On the table, not the model: an ORM delete
    would also look for the rows' objects in the session (a tenth of a confirmation's CPU),
    and none is there."""
    table = PartnerConsent.__table__  # type: ignore[attr-defined]
    dropped = delete(table).where(table.c.signature_id == bindparam("signature_id"))
    if keeping:
        kept = bindparam("kept", expanding=True, type_=table.c.organisation_id.type)
        dropped = dropped.where(table.c.organisation_id.not_in(kept))
    return dropped


def consent_counts(session: Session, petition: Petition) -> dict[int, int]:
    """Per partner, how many counted signers agreed that it may contact them."""
    rows = session.exec(
        select(PartnerConsent.organisation_id, func.count())
        .join(Signature, col(Signature.id) == PartnerConsent.signature_id)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.confirmed,
            col(Signature.suspect).is_(False),
        )
        .group_by(col(PartnerConsent.organisation_id))
    ).all()
    return {int(oid): int(n) for oid, n in rows}


def is_coalition(session: Session, petition: Petition) -> bool:
    """Whether the petition is or was a coalition petition: it has partners, or a signer ticked
    a partner's box. Once so, the host's export keeps following the host's own box, even if
    every partner is taken off (the signers chose on a form that named them)."""
    if partners_of(session, petition.id):
        return True
    ticked = session.exec(
        select(PartnerConsent.signature_id)
        .join(Signature, col(Signature.id) == PartnerConsent.signature_id)
        .where(Signature.petition_id == petition.id)
        .limit(1)
    ).first()
    return ticked is not None


def is_partner(session: Session, petition: Petition, organisation_id: int) -> bool:
    return session.get(PetitionPartner, (petition.id, organisation_id)) is not None


def partnered_petitions(
    session: Session, organisation_ids: Collection[int]
) -> list[tuple[Petition, int]]:
    """The published petitions these organisations are partners in, with the partner's id,
    newest first (a host's draft is not shown to its partners)."""
    if not organisation_ids:
        return []
    rows = session.exec(
        select(Petition, PetitionPartner.organisation_id)
        .join(PetitionPartner, col(PetitionPartner.petition_id) == Petition.id)
        .where(
            col(PetitionPartner.organisation_id).in_(organisation_ids),
            Petition.status != PetitionStatus.draft,
        )
        .order_by(col(Petition.id).desc())
    ).all()
    return [(petition, int(oid)) for petition, oid in rows]
