"""What the webhook tests share: a webhook made as an owner would, and the worker's sender."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.hooks.models import HookEvent, Webhook, WebhookDelivery
from campaign.hooks.sender import HookSender
from campaign.hooks.service import new_secret

ALL_EVENTS = [event.value for event in HookEvent]


def make_webhook(
    engine: Engine, organisation_id: int, url: str, events: list[str] | None = None
) -> Webhook:
    """An active webhook of the organisation, committed."""
    with transaction(engine) as session:
        hook = Webhook(
            organisation_id=organisation_id,
            url=url,
            events=events or ALL_EVENTS,
            secret=new_secret(),
        )
        session.add(hook)
        session.flush()
        return hook


def deliver(engine: Engine, settings: Settings) -> int:
    """Run the worker's sender until nothing is due; retries come at once (no backoff)."""
    return HookSender(engine, settings, backoff_base=0).drain()


def deliveries(engine: Engine) -> list[WebhookDelivery]:
    with transaction(engine) as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).all())
