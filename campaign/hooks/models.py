"""An organisation's webhooks and the deliveries queued for them, one row per event and webhook."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel

from campaign.core.crypto import encrypted_field, encrypted_json_field
from campaign.core.db import utcnow


class HookEvent(StrEnum):
    """What an organisation's systems may be told; the value is the `event` they receive."""

    signature_confirmed = "signature.confirmed"
    letter_sent = "letter.sent"
    update_unsubscribed = "update.unsubscribed"
    person_erased = "person.erased"


class DeliveryStatus(StrEnum):
    queued = "queued"
    sending = "sending"
    delivered = "delivered"
    dead = "dead"  # failed for a day, or refused for good: waits for an owner to send it again
    cancelled = "cancelled"  # the person asked to be erased before it went out


# The rows the sender may claim, alone in ix_webhook_delivery_claim in the order it claims them.
CLAIMABLE = text("status IN ('queued', 'sending')")


class Webhook(SQLModel, table=True):
    """Where an organisation's systems want to hear of events, and the secret that signs them."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    url: str = Field(max_length=500)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Whoever holds it can sign deliveries in our name: encrypted at rest like personal data.
    secret: str = encrypted_field("webhook.secret")
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """One event on its way to one webhook: its body, its idempotency key, how sending went."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        Index(
            "ix_webhook_delivery_claim", "id", postgresql_where=CLAIMABLE, sqlite_where=CLAIMABLE
        ),
        Index("ix_webhook_delivery_webhook", "webhook_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", ondelete="CASCADE")
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE")
    # Sent as Webhook-Id: the same on every try, so receivers can drop a copy.
    key: str = Field(max_length=64, unique=True)
    event: str = Field(max_length=40)
    # The event's data (a person's name and address inside), encrypted at rest.
    payload: dict[str, Any] = encrypted_json_field("webhook_delivery.payload")
    # Whom it is about: the blind index finds every organisation told of an address when that
    # address asks to be erased; the partner id is how that organisation knows the person.
    email_hash: str | None = Field(default=None, max_length=64, index=True)
    person_id: str | None = Field(default=None, max_length=32)
    status: str = Field(default=DeliveryStatus.queued.value, max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    give_up_at: datetime = Field(default_factory=utcnow)
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = None
    # Our own words (an HTTP status, a network error): never the receiver's reply body.
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None


class PersonShared(SQLModel, table=True):
    """An organisation's own systems were given this person (by a webhook or the partner API):
    kept until the person is erased, so that the erasure reaches it however long ago that was
    (deliveries themselves are deleted after OUTBOX_KEEP_DAYS)."""

    __tablename__ = "person_shared"

    organisation_id: int = Field(
        foreign_key="organisation.id", ondelete="CASCADE", primary_key=True
    )
    person_id: str = Field(max_length=32, primary_key=True)
    email_hash: str = Field(max_length=64, index=True)
    shared_at: datetime = Field(default_factory=utcnow)
