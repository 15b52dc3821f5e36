"""What the worker does for the outbox now and then, besides sending."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.mail import outbox


def finished_mail(session: Session, settings: Settings) -> int:
    """Copies of mail finished more than OUTBOX_KEEP_DAYS ago are deleted."""
    keep = timedelta(days=settings.outbox_keep_days)
    return outbox.purge_finished(session, older_than=utcnow() - keep)
