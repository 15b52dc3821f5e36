"""What the worker does for petitions now and then."""

from __future__ import annotations

from sqlmodel import Session

from campaign.core.settings import Settings
from campaign.petitions.models import Petition
from campaign.petitions.service.manage import record_event
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
        record_event(
            session,
            None,
            "petition.update_sent",
            petition,
            count=update.recipients,
            subject=update.subject,
            scheduled=True,
        )
    return len(sent)
