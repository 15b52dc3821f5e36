"""The outbox's health, as the organisers' front page shows it: counts and an age, no address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from campaign.mail.models import MailStatus, OutboxMessage


@dataclass(frozen=True)
class OutboxHealth:
    queued: int  # waiting to be sent or being sent
    retrying: int  # of those, tried before and refused for now: tried again later
    failed: int  # refused for good (kept until the finished mail is purged)
    oldest_queued: timedelta | None  # how long the oldest waiting message has waited


def outbox_health(session: Session, *, now: datetime) -> OutboxHealth:
    """How much mail waits, how much fails, and how long the oldest has waited; one query."""
    waiting = col(OutboxMessage.status).in_([MailStatus.queued, MailStatus.sending])
    retried = (col(OutboxMessage.status) == MailStatus.queued) & (col(OutboxMessage.attempts) > 0)
    queued, retrying, failed, oldest = session.exec(
        select(
            func.sum(case((waiting, 1), else_=0)),
            func.sum(case((retried, 1), else_=0)),
            func.sum(case((col(OutboxMessage.status) == MailStatus.failed, 1), else_=0)),
            func.min(case((waiting, col(OutboxMessage.created_at)), else_=None)),
        )
    ).one()
    age = now - oldest if oldest is not None else None
    return OutboxHealth(int(queued or 0), int(retrying or 0), int(failed or 0), age)
