"""What the worker does for petitions now and then."""

from __future__ import annotations

from sqlmodel import Session

from campaign.core import audit
from campaign.core.settings import Settings
from campaign.petitions.models import Petition
from campaign.petitions.service.signing import purge_unconfirmed
from campaign.petitions.service.updates import send_due


def unconfirmed_signatures(session: Session, settings: Settings) -> int:
    """Signatures whose confirmation link expired unused are deleted."""
    return purge_unconfirmed(session, settings=settings)


def scheduled_updates(session: Session, settings: Settings) -> int:
    """Updates scheduled for now or before go out, each once, with its entry in the trail."""
    sent = send_due(session, settings)
    for update in sent:
        petition = session.get(Petition, update.petition_id)
        assert petition is not None
        audit.record(
            session,
            by=None,
            action="petition.update_sent",
            target=f"petition:{petition.id}",
            organisation_id=petition.organisation_id,
            title=petition.title,
            count=update.recipients,
            subject=update.subject,
            scheduled=True,
        )
    return len(sent)
