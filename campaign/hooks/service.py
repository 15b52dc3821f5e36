"""Webhooks: an organisation's owners set them up; domains `emit` events in their own
transaction, one delivery per listening webhook, which the sender posts later, signed."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from campaign.accounts.models import User
from campaign.core import audit
from campaign.core.db import insert_once, utcnow
from campaign.hooks.models import (
    DeliveryStatus,
    HookEvent,
    PersonShared,
    Webhook,
    WebhookDelivery,
)

GIVE_UP_AFTER = timedelta(days=1)  # failing this long, a delivery becomes a dead letter
_DELIVERY = WebhookDelivery.__table__  # type: ignore[attr-defined]
_SHARED = PersonShared.__table__  # type: ignore[attr-defined]


def new_secret() -> str:
    """A signing secret: 32 random bytes, prefixed so that it is recognised in a config file."""
    return "whsec_" + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The Webhook-Signature header: v1= and HMAC-SHA256 of "{timestamp}.{body}" in hex."""
    signed = f"{timestamp}.".encode() + body
    return "v1=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def body_of(delivery: WebhookDelivery) -> bytes:
    """The JSON a delivery posts: the same bytes on every try."""
    document = {
        "id": delivery.key,
        "event": delivery.event,
        "created_date": delivery.created_at.isoformat(timespec="seconds"),
        "data": delivery.payload,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


# -- events from the domains -------------------------------------------------------------------


def listening(
    session: Session, event: HookEvent, organisation_ids: Collection[int]
) -> list[Webhook]:
    """The active webhooks of these organisations that want this event."""
    if not organisation_ids:
        return []
    hooks = session.exec(
        select(Webhook).where(
            col(Webhook.organisation_id).in_(sorted(organisation_ids)),
            col(Webhook.active).is_(True),
        )
    ).all()
    return [hook for hook in hooks if event.value in hook.events]


def emit(
    session: Session,
    *,
    organisation_id: int,
    event: HookEvent,
    payload: Mapping[str, Any],
    email_hash: str | None = None,
    person_id: str | None = None,
    hooks: list[Webhook] | None = None,
) -> int:
    """Queue the event for each of the organisation's webhooks that want it, in the caller's
    transaction (a rolled-back change tells no one); how many deliveries were queued.

    `hooks`: the webhooks already read with `listening`, to save the look-up per organisation.
    """
    if hooks is None:
        hooks = listening(session, event, {organisation_id})
    now = utcnow()
    rows = [
        {
            "webhook_id": hook.id,
            "organisation_id": organisation_id,
            "key": uuid.uuid4().hex,
            "event": event.value,
            "payload": dict(payload),
            "email_hash": email_hash,
            "person_id": person_id,
            "status": DeliveryStatus.queued.value,
            "attempts": 0,
            "next_attempt_at": now,
            "give_up_at": now + GIVE_UP_AFTER,
            "created_at": now,
        }
        for hook in hooks
        if hook.organisation_id == organisation_id
    ]
    if rows:
        session.execute(insert(_DELIVERY), rows)
        if email_hash and person_id and event is not HookEvent.person_erased:
            shared(session, organisation_id=organisation_id, people=[(person_id, email_hash)])
    return len(rows)


def shared(session: Session, *, organisation_id: int, people: Iterable[tuple[str, str]]) -> None:
    """Remember that the organisation's systems were given these people (their partner id and
    blind index), so that an erasure is sent to it however long ago that was."""
    now = utcnow()
    for person_id, email_hash in people:
        insert_once(
            session,
            _SHARED,
            {
                "organisation_id": organisation_id,
                "person_id": person_id,
                "email_hash": email_hash,
                "shared_at": now,
            },
        )


def shared_index(session: Session, *, organisation_id: int, person_id: str) -> str | None:
    """The blind index of a person the organisation's systems were given, by the id they know."""
    return session.exec(
        select(PersonShared.email_hash).where(
            col(PersonShared.organisation_id) == organisation_id,
            col(PersonShared.person_id) == person_id,
        )
    ).first()


def forget_person(session: Session, email_hash: str) -> int:
    """The address asked to be erased: tell every organisation whose systems were given (or
    were about to be sent) this person, by its own id alone, and blank what the earlier
    deliveries said."""
    told = session.exec(
        select(PersonShared.organisation_id, PersonShared.person_id).where(
            col(PersonShared.email_hash) == email_hash
        )
    ).all()
    session.execute(delete(PersonShared).where(col(PersonShared.email_hash) == email_hash))
    session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.email_hash) == email_hash,
            col(WebhookDelivery.status).in_([DeliveryStatus.queued, DeliveryStatus.dead]),
        )
        .values(status=DeliveryStatus.cancelled)
    )
    session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.email_hash) == email_hash,
            col(WebhookDelivery.status) != DeliveryStatus.sending,
        )
        .values(payload={}, email_hash=None)
    )
    queued = 0
    for organisation_id, person_id in sorted(told):
        payload = {"person": {"identifiers": [f"campaign:{person_id}"]}}
        queued += emit(
            session,
            organisation_id=organisation_id,
            event=HookEvent.person_erased,
            payload=payload,
            person_id=person_id,
        )
    return queued


# -- an owner's webhooks -----------------------------------------------------------------------


def webhooks_of(session: Session, organisation_id: int) -> list[Webhook]:
    """The organisation's webhooks, oldest first."""
    query = select(Webhook).where(col(Webhook.organisation_id) == organisation_id)
    return list(session.exec(query.order_by(col(Webhook.id))).all())


def webhook_of(session: Session, organisation_id: int, webhook_id: int) -> Webhook | None:
    """One of the organisation's webhooks, or None (another organisation's is not found)."""
    hook = session.get(Webhook, webhook_id)
    return hook if hook is not None and hook.organisation_id == organisation_id else None


def _record(session: Session, user: User, action: str, hook: Webhook, **details: Any) -> None:
    audit.record(
        session,
        by=user,
        action=action,
        target=f"organisation:{hook.organisation_id}",
        organisation_id=hook.organisation_id,
        url=hook.url,
        **details,
    )


def create_webhook(
    session: Session, *, organisation_id: int, url: str, events: list[str], by: User
) -> Webhook:
    """A new, active webhook with a fresh secret."""
    hook = Webhook(organisation_id=organisation_id, url=url, events=events, secret=new_secret())
    session.add(hook)
    session.flush()
    _record(session, by, "webhook.created", hook, events=", ".join(events))
    return hook


def update_webhook(
    session: Session, hook: Webhook, *, url: str, events: list[str], active: bool, by: User
) -> None:
    """Change where it goes, what it hears, or pause it."""
    hook.url, hook.events, hook.active, hook.updated_at = url, events, active, utcnow()
    session.add(hook)
    session.flush()
    _record(session, by, "webhook.changed", hook, events=", ".join(events), active=active)


def rotate_secret(session: Session, hook: Webhook, *, by: User) -> None:
    """A new secret; deliveries from now on are signed with it, the old one stops working."""
    hook.secret, hook.updated_at = new_secret(), utcnow()
    session.add(hook)
    session.flush()
    _record(session, by, "webhook.secret_rotated", hook)


def delete_webhook(session: Session, hook: Webhook, *, by: User) -> None:
    """Remove the webhook and its deliveries."""
    _record(session, by, "webhook.deleted", hook)
    session.execute(delete(WebhookDelivery).where(col(WebhookDelivery.webhook_id) == hook.id))
    session.delete(hook)
    session.flush()


def recent_deliveries(session: Session, hook: Webhook, limit: int = 50) -> list[WebhookDelivery]:
    """The webhook's newest deliveries, for its page."""
    query = (
        select(WebhookDelivery)
        .where(col(WebhookDelivery.webhook_id) == hook.id)
        .order_by(col(WebhookDelivery.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def resend(session: Session, hook: Webhook, delivery_id: int, *, by: User) -> bool:
    """Send a dead letter again, under its own key, with another day to succeed."""
    now = utcnow()
    done = session.execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.id) == delivery_id,
            col(WebhookDelivery.webhook_id) == hook.id,
            col(WebhookDelivery.status) == DeliveryStatus.dead,
        )
        .values(
            status=DeliveryStatus.queued,
            attempts=0,
            next_attempt_at=now,
            give_up_at=now + GIVE_UP_AFTER,
        )
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return False
    _record(session, by, "webhook.resent", hook, delivery=delivery_id)
    return True


def purge_finished(session: Session, *, older_than: datetime) -> int:
    """Delete deliveries that went out or were withdrawn before `older_than`."""
    result = session.execute(
        delete(WebhookDelivery).where(
            col(WebhookDelivery.status).in_([DeliveryStatus.delivered, DeliveryStatus.cancelled]),
            col(WebhookDelivery.created_at) < older_than,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
