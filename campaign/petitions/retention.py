"""Retention: a closed petition keeps its signers' personal data for RETENTION_MONTHS, then the
worker erases names, addresses, cities and client hashes, and the names and cities typed in
from paper sheets. The signatures stay as rows, so the count, the tally by country and by day,
and the hand-over figures do not change. Also what the
petitions hold about one address, for the supporter's own page (privacy/registry.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import delete, or_
from sqlmodel import Session, col, select

from campaign.accounts.models import Organisation
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.core.settings import Settings
from campaign.petitions.models import PartnerConsent, Petition, PetitionStatus, Signature
from campaign.petitions.service import fields
from campaign.petitions.service.paper import erase_rows
from campaign.privacy.retention import erase_due, forget_people


def closed_on(petition: Petition, now: datetime) -> datetime | None:
    """When signing ended for good: closed by an organiser, or its last day passed."""
    ends = [moment for moment in (petition.closed_at, petition.ends_at) if moment and moment <= now]
    if petition.status not in (PetitionStatus.closed, PetitionStatus.archived) and not ends:
        return None
    return min(ends) if ends else None


def erase_signatures(session: Session, *where: Any, every_answer: bool = False) -> int:
    """Erase who signed, keeping the signatures (and so every count), which partner
    organisations they let contact them and their personal answers (the others stay counted,
    unless `every_answer`: a person who asks to be erased takes every answer along); the
    number erased."""
    signed = select(col(Signature.id)).where(*where)
    session.execute(delete(PartnerConsent).where(col(PartnerConsent.signature_id).in_(signed)))
    fields.erase_answers(session, signed, personal_only=not every_answer)
    return forget_people(
        session,
        Signature,
        *where,
        personal="",
        show_publicly=False,
        wants_updates=False,
        named_in_handover=False,
    )


def _erase_petition(session: Session, petition: Petition) -> int:
    """Erase who signed a petition, online and on paper sheets typed in row by row."""
    online = erase_signatures(session, col(Signature.petition_id) == petition.id)
    return online + erase_rows(session, petition.id)  # type: ignore[arg-type]


def anonymise_due(session: Session, *, settings: Settings, now: datetime | None = None) -> int:
    """Erase the personal data of every due petition's signers; the number of signatures."""
    now = now or utcnow()
    candidates = session.exec(
        select(Petition).where(
            col(Petition.anonymised_at).is_(None),
            or_(col(Petition.closed_at).is_not(None), col(Petition.ends_at) <= now),
        )
    ).all()
    return erase_due(
        session,
        candidates,
        kind="petition",
        closed_on=closed_on,
        erase=lambda petition: _erase_petition(session, petition),
        settings=settings,
        now=now,
    )


def holdings(session: Session, index: str) -> list[dict[str, Any]]:
    """Every signature made with the address behind this keyed hash, with the partner
    organisations it lets contact the signer and the answers to the petition's own fields."""
    partners: dict[int, list[str]] = {}
    for signature_id, name in session.exec(
        select(PartnerConsent.signature_id, Organisation.name)
        .join(Organisation, col(Organisation.id) == PartnerConsent.organisation_id)
        .join(Signature, col(Signature.id) == PartnerConsent.signature_id)
        .where(Signature.email_hash == index)
        .order_by(col(Organisation.name))
    ).all():
        partners.setdefault(signature_id, []).append(name)
    answers = fields.answers_by_address(session, index)
    rows = session.exec(
        select(Signature, Petition.title, Organisation.name)
        .join(Petition, col(Petition.id) == Signature.petition_id)
        .join(Organisation, col(Organisation.id) == Petition.organisation_id)
        .where(Signature.email_hash == index)
        .order_by(col(Signature.id))
    ).all()
    return [
        {
            "petition": title,
            "organisation": organisation,
            "name": signature.name,
            "email": signature.email,
            "country": signature.country,
            "city": signature.city,
            "status": signature.status,
            "signed_at": signature.created_at.isoformat(),
            "confirmed_at": signature.confirmed_at.isoformat() if signature.confirmed_at else None,
            "wants_updates": signature.wants_updates,
            "show_publicly": signature.show_publicly,
            "named_in_handover": signature.named_in_handover,
            "partners_may_contact": partners.get(signature.id or 0, []),
            "answers": answers.get(signature.id or 0, {}),
            "language": signature.locale,
        }
        for signature, title, organisation in rows
    ]


def holdings_lines(held: list[dict[str, Any]]) -> list[Markup]:
    """One line per signature for the page."""
    return [
        # The translated text is ours; Markup's % and + escape the supporter's data.
        Markup(_('Signature on "%(title)s"')) % {"title": s["petition"]}  # noqa: S704
        + f": {s['name']}, {s['city']} ({s['country']})"
        + (
            Markup("; ")
            + _(
                "may contact you: %(organisations)s",
                organisations=", ".join(s["partners_may_contact"]),
            )
            if s["partners_may_contact"]
            else ""
        )
        + "".join(f"; {label}: {value}" for label, value in s.get("answers", {}).items())
        for s in held
    ]


def erase_address(session: Session, index: str) -> int:
    """Erase who signed with this address, on every petition; the signatures stay."""
    return erase_signatures(session, col(Signature.email_hash) == index, every_answer=True)
