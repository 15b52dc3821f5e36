"""What the worker does for letters to officials now and then: outcomes written back, the drip
release within each official's caps, expired holds purged, and "did they answer?" follow-ups."""

from __future__ import annotations

from sqlmodel import Session

from campaign.core.settings import Settings
from campaign.letters.service import delivery, holding, replies


def letter_outcomes(session: Session, settings: Settings) -> object:
    """What the mail server said about each letter, written back (before the next release)."""
    return delivery.record_outcomes(session)


def letter_release(session: Session, settings: Settings) -> int:
    """Confirmed letters moved into the outbox, as far as the caps allow now."""
    return delivery.release_due(session, settings=settings)


def letter_followups(session: Session, settings: Settings) -> int:
    """Expired holds deleted; supporters who agreed asked whether the official answered."""
    holding.purge_unconfirmed(session, settings=settings)
    return replies.ask_about_replies(session, settings=settings)
