"""What the worker does for webhooks now and then, besides sending."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.hooks import service


def finished_deliveries(session: Session, settings: Settings) -> int:
    """Deliveries that went out (or were withdrawn) more than OUTBOX_KEEP_DAYS ago are deleted:
    they hold supporters' names and addresses. Dead letters wait for an owner."""
    keep = timedelta(days=settings.outbox_keep_days)
    return service.purge_finished(session, older_than=utcnow() - keep)
