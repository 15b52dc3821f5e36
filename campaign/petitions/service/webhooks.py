"""What petitions tell organisations' webhooks: a signature confirmed, updates stopped. Only the
organisations whose contact box the signer ticked hear of them: the host through
`wants_updates`, each partner through its `PartnerConsent` row (as exports.py selects them)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.core.security import partner_person_id
from campaign.core.settings import Settings
from campaign.hooks import service as hooks
from campaign.hooks.models import HookEvent
from campaign.petitions.models import PartnerConsent, Petition, Signature


def _person(settings: Settings, organisation_id: int, signature: Signature) -> dict[str, Any]:
    """The signer as OSDI names a person, by the id this organisation knows them by."""
    person_id = partner_person_id(settings, organisation_id, signature.email_hash)
    return {
        "identifiers": [f"campaign:{person_id}"],
        "name": signature.name,
        "email_addresses": [{"address": signature.email, "primary": True}],
        "postal_addresses": [{"country": signature.country}],
    }


def _petition(settings: Settings, petition: Petition) -> dict[str, Any]:
    return {
        "identifiers": [f"campaign:petition:{petition.id}"],
        "slug": petition.slug,
        "title": petition.title,
        "url": f"{settings.base_url}/petitions/{petition.slug}",
    }


def _tell(
    session: Session,
    *,
    settings: Settings,
    event: HookEvent,
    petition: Petition,
    signature: Signature,
    organisation_ids: set[int],
) -> int:
    listening = hooks.listening(session, event, organisation_ids)
    queued = 0
    for organisation_id in sorted({hook.organisation_id for hook in listening}):
        person = _person(settings, organisation_id, signature)
        payload = {
            "person": person,
            "petition": _petition(settings, petition),
            "created_date": utcnow().isoformat(timespec="seconds"),
        }
        queued += hooks.emit(
            session,
            organisation_id=organisation_id,
            event=event,
            payload=payload,
            email_hash=signature.email_hash,
            person_id=person["identifiers"][0].removeprefix("campaign:"),
            hooks=listening,
        )
    return queued


def signature_confirmed(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    signature: Signature,
    partners: frozenset[int],
) -> int:
    """A counted signature, to the host if its box was ticked and to each consenting partner."""
    organisations = {petition.organisation_id} if signature.wants_updates else set()
    if partners:  # Optimization: no query for the consents nobody was asked for
        organisations |= set(
            session.exec(
                select(PartnerConsent.organisation_id).where(
                    col(PartnerConsent.signature_id) == signature.id
                )
            ).all()
        )
    if not organisations:
        return 0
    return _tell(
        session,
        settings=settings,
        event=HookEvent.signature_confirmed,
        petition=petition,
        signature=signature,
        organisation_ids=organisations,
    )


def unsubscribed(session: Session, *, settings: Settings, signature: Signature) -> int:
    """A signer stopped the host's updates: the host hears of it, if the signer had asked it
    for updates (no one else was sending them)."""
    if not signature.wants_updates:
        return 0
    petition = session.get(Petition, signature.petition_id)
    if petition is None:
        return 0
    return _tell(
        session,
        settings=settings,
        event=HookEvent.update_unsubscribed,
        petition=petition,
        signature=signature,
        organisation_ids={petition.organisation_id},
    )
