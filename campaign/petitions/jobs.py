"""What the worker does for petitions now and then."""

from __future__ import annotations

from sqlmodel import Session

from campaign.core.settings import Settings
from campaign.petitions.service.signing import purge_unconfirmed


def unconfirmed_signatures(session: Session, settings: Settings) -> int:
    """Signatures whose confirmation link expired unused are deleted."""
    return purge_unconfirmed(session, settings=settings)
