"""What the worker does for prisoners' volunteers now and then."""

from __future__ import annotations

from sqlmodel import Session

from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.prisoners.service import transfers
from campaign.prisoners.service.reminders import send_reminders


def volunteer_reminders(session: Session, settings: Settings) -> int:
    """Birthday and silence reminders due today, each sent once (registered hourly: each is
    due for days)."""
    return send_reminders(session, settings=settings, today=utcnow().date())


def transfer_notices(session: Session, settings: Settings) -> int:
    """The new address of people moved lately, to those who follow them or wrote lately, each
    once (every round of the worker's jobs: an address is worth more the sooner it arrives)."""
    return transfers.send_notices(session, settings=settings, now=utcnow())
