"""An owner's webhook pages: add one (https outside development), see its deliveries, send a dead
letter again; every change is in the organisation's audit trail; only owners get in."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import select

from campaign.accounts.models import OrgRole
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Env, Settings
from campaign.hooks.models import DeliveryStatus, Webhook, WebhookDelivery
from campaign.hooks.sender import HookSender
from campaign.hooks.urls import url_problem
from tests.conftest import add_user, csrf_from, log_in
from tests.factories import add_signature, make_member, make_petition, organisation
from tests.hooks.conftest import deliver, deliveries, make_webhook
from tests.hooks.receiver import receiver


def _hooks_page(engine: Engine) -> str:
    return f"/admin/organisations/{organisation(engine)}/webhooks"


def test_an_owner_adds_a_webhook_and_sees_its_secret(
    organiser_client: TestClient, engine: Engine
) -> None:
    page = _hooks_page(engine)
    token = csrf_from(organiser_client, page)
    response = organiser_client.post(
        page,
        data={
            "url": "http://127.0.0.1:8999/in",
            "events": ["signature.confirmed", "person.erased"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    with transaction(engine) as session:
        hook = session.exec(select(Webhook)).one()
    assert hook.events == ["signature.confirmed", "person.erased"]
    shown = organiser_client.get(response.headers["location"]).text
    assert hook.secret in shown and hook.secret.startswith("whsec_")

    organiser_client.post(f"{page}/{hook.id}/rotate", data={"csrf_token": token})
    with transaction(engine) as session:
        rotated = session.get(Webhook, hook.id)
        assert rotated is not None and rotated.secret != hook.secret
        actions = session.exec(select(AuditEvent.action)).all()
    assert {"webhook.created", "webhook.secret_rotated"} <= set(actions)
    trail = organiser_client.get(f"/admin/organisations/{organisation(engine)}/audit").text
    assert "added a webhook to http://127.0.0.1:8999/in" in trail


def test_the_form_says_why_an_address_is_refused(
    organiser_client: TestClient, engine: Engine
) -> None:
    page = _hooks_page(engine)
    token = csrf_from(organiser_client, page)
    response = organiser_client.post(
        page, data={"url": "ftp://example.org/in", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "starting with https://" in response.text
    assert "Choose at least one event." in response.text


def test_https_to_a_public_address_is_required_outside_development(settings: Settings) -> None:
    production = settings.model_copy(update={"env": Env.production})
    refused = url_problem("http://hooks.example.org/in", production)
    assert refused is not None and "allowed only in development" in refused
    inside = url_problem("https://127.0.0.1/in", production)
    assert inside is not None and "only development may call one" in inside
    assert url_problem("https://10.1.2.3/in", production) is not None
    assert url_problem("https://[::1]/in", production) is not None
    assert url_problem("https://93.184.215.14/in", production) is None
    assert url_problem("http://127.0.0.1:8999/in", settings) is None  # development


def test_the_worker_in_production_does_not_call_a_loopback_address(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    production = settings.model_copy(update={"env": Env.production})
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, inbox.url)
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        HookSender(engine, production, backoff_base=0).drain()
    assert inbox.posts == []
    (row,) = deliveries(engine)
    assert row.status == DeliveryStatus.dead and "https" in (row.last_error or "")


def test_a_day_of_failures_leaves_a_dead_letter_the_owner_sends_again(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    with receiver(fail_first=10**6) as inbox:
        hook = make_webhook(engine, petition.organisation_id, inbox.url)
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        sender = HookSender(engine, settings)  # backoff as in production: 30 s, then more
        assert sender.drain() == 1
        (row,) = deliveries(engine)
        assert row.status == DeliveryStatus.queued and row.last_error == "HTTP 500"
        assert row.next_attempt_at > utcnow() + timedelta(seconds=10)  # 15-30 s with jitter
        a_day_later = utcnow() - timedelta(seconds=1)
        with transaction(engine) as session:
            session.execute(
                update(WebhookDelivery).values(next_attempt_at=a_day_later, give_up_at=a_day_later)
            )
        assert sender.drain() == 1
        (row,) = deliveries(engine)
        assert (row.status, row.attempts) == (DeliveryStatus.dead, 2)

        page = f"{_hooks_page(engine)}/{hook.id}"
        shown = organiser_client.get(page).text
        assert "dead letter" in shown and "HTTP 500" in shown
        assert "ana@example.org" not in shown  # no personal payload on the page
        resend = f"{page}/deliveries/{row.id}/resend"
        assert organiser_client.post(resend).status_code == 403  # no CSRF token
        inbox.fail_first = 0
        token = csrf_from(organiser_client, page)
        assert organiser_client.post(resend, data={"csrf_token": token}).status_code == 303
        assert deliver(engine, settings) == 1
    (row,) = deliveries(engine)
    assert row.status == DeliveryStatus.delivered
    assert [post.answered for post in inbox.posts] == [500, 500, 200]
    assert len({post.headers["Webhook-Id"] for post in inbox.posts}) == 1
    assert "delivered" in organiser_client.get(page).text
    with transaction(engine) as session:
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "webhook.resent")).first()


def test_only_owners_manage_webhooks(client: TestClient, engine: Engine) -> None:
    campaigner = add_user(engine, "campaigner@example.org")
    make_member(engine, campaigner.id, role=OrgRole.campaigner)
    log_in(client, campaigner.email)
    assert client.get(_hooks_page(engine)).status_code == 403
    other = organisation(engine, "Someone else's")
    assert client.get(f"/admin/organisations/{other}/webhooks").status_code == 404


def test_an_owner_pauses_and_deletes_a_webhook(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    hook = make_webhook(engine, petition.organisation_id, "http://127.0.0.1:9/in")
    page = f"{_hooks_page(engine)}/{hook.id}"
    token = csrf_from(organiser_client, page)
    paused = organiser_client.post(
        page,
        data={"url": hook.url, "events": ["signature.confirmed"], "csrf_token": token},
    )
    assert paused.status_code == 303
    add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
    assert deliveries(engine) == []  # a paused webhook is sent nothing
    assert organiser_client.post(f"{page}/delete", data={"csrf_token": token}).status_code == 303
    with transaction(engine) as session:
        assert session.exec(select(Webhook)).all() == []
    assert re.search(
        r"deleted the webhook",
        organiser_client.get(f"/admin/organisations/{organisation(engine)}/audit").text,
    )
