"""The outbox: one row per message, from enqueue to sent (or failed for good)."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import Column, Index, text
from sqlmodel import Field, SQLModel

from campaign.core.crypto import EncryptedText, encrypted_field, encrypted_json_field
from campaign.core.db import utcnow


class MailStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    cancelled = "cancelled"  # withdrawn by the application before a worker took it


class MailPriority(IntEnum):
    """The worker sends all due mail of a smaller number first."""

    normal = 0
    low = 1  # caused by a client over its limits: a flood must not delay anyone else's mail


# The rows a worker may claim; ix_outbox_claim keeps them alone, in the order they are claimed,
# so a claim reads one batch of the index however many sent rows the table keeps.
CLAIMABLE = text("status IN ('queued', 'sending')")


class OutboxMessage(SQLModel, table=True):
    """A message waiting to be sent, being sent by one worker, sent, or failed with the reply."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index(
            "ix_outbox_claim", "priority", "id", postgresql_where=CLAIMABLE, sqlite_where=CLAIMABLE
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=200, unique=True)
    to_addr: str = encrypted_field("outbox_message.to_addr")
    template: str = Field(max_length=100)
    # The mail is rendered from these when it is sent: names, links and a Reply-To inside.
    context: dict[str, Any] = encrypted_json_field("outbox_message.context")
    headers: dict[str, str] = encrypted_json_field("outbox_message.headers")
    locale: str = Field(default="en", max_length=10)
    priority: int = MailPriority.normal.value
    status: str = Field(default=MailStatus.queued.value, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    # A server's reply often quotes the recipient's address.
    last_error: str | None = Field(
        default=None, sa_column=Column(EncryptedText("outbox_message.last_error"))
    )
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
