"""The audit trail: who did what, when. The app only ever adds to it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from campaign.core.db import utcnow


class AuditEvent(SQLModel, table=True):
    """One recorded action: exports, invalidations, status changes, settings."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor: str = Field(default="", max_length=254)
    action: str = Field(max_length=60, index=True)
    target: str = Field(default="", max_length=120)
    # The organisation whose campaign or members the event is about (none: the install's own).
    organisation_id: int | None = Field(default=None, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Actor(Protocol):
    """Whoever acts: any account with an id and an address."""

    @property
    def id(self) -> int | None: ...

    @property
    def email(self) -> str: ...


def record(
    session: Session,
    *,
    by: Actor | None,
    action: str,
    target: str = "",
    organisation_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an event in the caller's transaction: it stands or falls with the action itself.

    `by` is None when nobody known acts: a failed login for an unknown address (never recorded,
    as it may be anyone's), the command line, the worker.
    """
    event = AuditEvent(
        actor_id=by.id if by else None,
        actor=by.email if by else "",
        action=action,
        target=target,
        organisation_id=organisation_id,
        details=details,
    )
    session.add(event)
    session.flush()
    return event


def recent_events(
    session: Session,
    *,
    limit: int = 200,
    target: str | None = None,
    organisation_id: int | None = None,
) -> list[AuditEvent]:
    """The newest events, optionally only those about one target (e.g. "petition:3") or one
    organisation."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if target is not None:
        query = query.where(AuditEvent.target == target)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(session.exec(query).all())
