"""Webhooks as an organisation's system sees them: each event arrives once, signed, after the
receiver failed; only signers who ticked that organisation's box are sent; an erasure names the
person by id alone."""

from __future__ import annotations

import json

from sqlalchemy import Engine
from sqlmodel import select

from campaign.core.db import transaction
from campaign.core.security import email_index, partner_person_id
from campaign.core.settings import Settings
from campaign.hooks.models import DeliveryStatus, WebhookDelivery
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import coalition, updates
from campaign.privacy import service as privacy
from tests.factories import add_signature, make_petition, organisation
from tests.hooks.conftest import deliver, deliveries, make_webhook
from tests.hooks.receiver import receiver


def test_a_confirmed_signature_arrives_once_signed_after_the_receiver_fails_twice(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    with receiver(fail_first=2) as inbox:
        hook = make_webhook(engine, petition.organisation_id, inbox.url)
        inbox.secret = hook.secret
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        assert deliver(engine, settings) == 3  # two failures retried, then accepted

    assert [post.answered for post in inbox.posts] == [500, 500, 200]
    assert all(post.verified for post in inbox.posts)
    assert len({post.headers["Webhook-Id"] for post in inbox.posts}) == 1  # stable across tries
    assert len({post.body for post in inbox.posts}) == 1
    (taken,) = inbox.accepted
    document = taken.document
    expected_id = partner_person_id(
        settings, petition.organisation_id, email_index(settings, "ana@example.org")
    )
    assert document["id"] == taken.headers["Webhook-Id"]
    assert document["event"] == "signature.confirmed" == taken.headers["Webhook-Event"]
    assert document["data"]["person"] == {
        "identifiers": [f"campaign:{expected_id}"],
        "name": "Ana Bialiatskaya",
        "email_addresses": [{"address": "ana@example.org", "primary": True}],
        "postal_addresses": [{"country": "BY"}],
    }
    assert document["data"]["petition"]["slug"] == petition.slug
    assert document["data"]["petition"]["title"] == petition.title
    (row,) = deliveries(engine)
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.delivered, 3, None)
    assert deliver(engine, settings) == 0  # nothing goes out twice


def test_a_forged_or_stale_signature_does_not_verify(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, inbox.url)
        inbox.secret = "whsec_not-the-secret"
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        deliver(engine, settings)
    assert [post.verified for post in inbox.posts] == [False]


def test_a_signer_who_ticked_no_box_is_not_sent(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, inbox.url)
        add_signature(engine, settings, petition, email="quiet@example.org")
        add_signature(
            engine,
            settings,
            petition,
            email="pending@example.org",
            wants_updates=True,
            confirm=False,
        )
        assert deliver(engine, settings) == 0
    assert inbox.posts == []


def test_partners_get_only_their_consenting_signers(engine: Engine, settings: Settings) -> None:
    a, b = organisation(engine, "Razam e.V."), organisation(engine, "Libereco")
    petition = make_petition(engine)
    with transaction(engine) as session:
        coalition.set_partners(session, session.get(Petition, petition.id), {a, b})  # type: ignore[arg-type]
    with receiver() as host, receiver() as razam, receiver() as libereco:
        make_webhook(engine, petition.organisation_id, host.url)
        make_webhook(engine, a, razam.url)
        make_webhook(engine, b, libereco.url, events=["letter.sent"])  # does not want signatures
        add_signature(engine, settings, petition, email="host@example.org", wants_updates=True)
        add_signature(
            engine, settings, petition, email="razam@example.org", partners=frozenset({a})
        )
        add_signature(
            engine,
            settings,
            petition,
            email="all@example.org",
            wants_updates=True,
            partners=frozenset({a, b}),
        )
        add_signature(engine, settings, petition, email="none@example.org")
        deliver(engine, settings)

    def addresses(inbox) -> set[str]:  # type: ignore[no-untyped-def]
        return {
            post.document["data"]["person"]["email_addresses"][0]["address"]
            for post in inbox.accepted
        }

    assert addresses(host) == {"host@example.org", "all@example.org"}
    assert addresses(razam) == {"razam@example.org", "all@example.org"}
    assert libereco.posts == []
    ids = {post.document["data"]["person"]["identifiers"][0] for post in razam.accepted}
    host_ids = {post.document["data"]["person"]["identifiers"][0] for post in host.accepted}
    assert not ids & host_ids  # each organisation knows a person by its own id


def test_erasure_is_sent_with_the_persons_id_alone(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    with receiver() as inbox, receiver() as stranger:
        make_webhook(engine, petition.organisation_id, inbox.url)
        make_webhook(engine, organisation(engine, "Never sent her"), stranger.url)
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        deliver(engine, settings)
        with transaction(engine) as session:
            privacy.erase(session, email_index(settings, "ana@example.org"))
        deliver(engine, settings)

    assert inbox.events() == ["signature.confirmed", "person.erased"]
    confirmed, erased = (post.document for post in inbox.accepted)
    assert erased["data"] == {"person": {"identifiers": confirmed["data"]["person"]["identifiers"]}}
    assert "ana" not in json.dumps(erased).lower()
    assert stranger.posts == []  # it never received her
    with transaction(engine) as session:
        first = session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)).first()
        assert first is not None and first.payload == {} and first.email_hash is None


def test_erasure_withdraws_what_was_not_yet_sent(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, inbox.url)
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        with transaction(engine) as session:
            privacy.erase(session, email_index(settings, "ana@example.org"))
        deliver(engine, settings)
    assert inbox.events() == ["person.erased"]
    statuses = [row.status for row in deliveries(engine)]
    assert statuses == [DeliveryStatus.cancelled, DeliveryStatus.delivered]


def test_stopping_updates_tells_the_host(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, inbox.url, events=["update.unsubscribed"])
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        with transaction(engine) as session:
            signature = session.exec(select(Signature)).one()
            token = updates.unsubscribe_token(settings, signature.id)  # type: ignore[arg-type]
        for _ in range(2):  # a second click changes nothing
            with transaction(engine) as session:
                assert updates.unsubscribe(session, settings=settings, token=token)
        deliver(engine, settings)
    assert inbox.events() == ["update.unsubscribed"]


def test_a_rolled_back_confirmation_tells_no_one(engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine)
    make_webhook(engine, petition.organisation_id, "http://127.0.0.1:9/never")
    try:
        with transaction(engine) as session:
            from campaign.hooks import service
            from campaign.hooks.models import HookEvent

            service.emit(
                session,
                organisation_id=petition.organisation_id,
                event=HookEvent.signature_confirmed,
                payload={"person": {}},
            )
            raise RuntimeError("the confirmation failed")
    except RuntimeError:
        pass
    assert deliveries(engine) == []
