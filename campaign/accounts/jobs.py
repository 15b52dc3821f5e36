"""What the worker does for organisers' accounts now and then."""

from __future__ import annotations

from sqlmodel import Session

from campaign.accounts.service.login import purge_expired_sessions
from campaign.core.settings import Settings


def expired_sessions(session: Session, settings: Settings) -> int:
    """Login sessions past their absolute expiry are deleted."""
    return purge_expired_sessions(session)
