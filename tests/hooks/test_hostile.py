"""What a careless or hostile owner's input, a lost second factor or time cannot do to webhooks:
an odd address stops no worker, webhooks need the second factor that supporters' names need,
and an erasure reaches every organisation that was ever given the person."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import select

from campaign.core.db import transaction, utcnow
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.hooks import service
from campaign.hooks.models import DeliveryStatus, PersonShared, WebhookDelivery
from campaign.hooks.urls import url_problem
from campaign.privacy import service as privacy
from tests.conftest import add_user, log_in
from tests.factories import add_signature, make_member, make_petition, organisation
from tests.hooks.conftest import deliver, deliveries, make_webhook
from tests.hooks.receiver import receiver


def test_an_address_with_letters_outside_ascii_is_refused_with_a_reason(
    settings: Settings,
) -> None:
    refused = url_problem("http://127.0.0.1:8999/café", settings)
    assert refused is not None and "plain ASCII" in refused
    assert url_problem("http://127.0.0.1:8999/in put", settings) is not None
    assert url_problem("http://127.0.0.1:8999/caf%C3%A9", settings) is None


def test_a_delivery_that_cannot_be_sent_is_a_dead_letter_and_the_worker_goes_on(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, "http://127.0.0.1:9/café")  # stored before
        make_webhook(engine, petition.organisation_id, inbox.url)
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        assert deliver(engine, settings) == 2
    assert inbox.events() == ["signature.confirmed"]
    broken = [row for row in deliveries(engine) if row.status == DeliveryStatus.dead]
    assert len(broken) == 1 and "cannot be sent" in (broken[0].last_error or "")


def test_an_owner_without_two_factor_is_sent_to_set_it_up_before_any_webhook_page(
    client: TestClient, engine: Engine
) -> None:
    owner = add_user(engine, "owner2@example.org")
    make_member(engine, owner.id)
    log_in(client, owner.email)
    page = f"/admin/organisations/{organisation(engine)}/webhooks"
    answer = client.get(page, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/account/two-factor"


def test_an_erasure_reaches_an_organisation_told_of_the_person_long_ago(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, inbox.url)
        add_signature(engine, settings, petition, email="ana@example.org", wants_updates=True)
        deliver(engine, settings)
        with transaction(engine) as session:  # the delivery is long gone, as after 30 days
            session.execute(
                update(WebhookDelivery).values(created_at=utcnow() - timedelta(days=400))
            )
            assert service.purge_finished(session, older_than=utcnow() - timedelta(days=30)) == 1
        with transaction(engine) as session:
            privacy.erase(session, email_index(settings, "ana@example.org"))
        deliver(engine, settings)
    assert inbox.events() == ["signature.confirmed", "person.erased"]
    confirmed, erased = (post.document for post in inbox.accepted)
    assert erased["data"]["person"] == {"identifiers": confirmed["data"]["person"]["identifiers"]}
    with transaction(engine) as session:
        assert session.exec(select(PersonShared)).all() == []  # nothing of her is kept


def test_a_suspect_signature_accepted_later_is_sent_like_any_confirmed_one(
    engine: Engine, settings: Settings
) -> None:
    from campaign.petitions.forms import SignatureFilter
    from campaign.petitions.models import Petition, Signature
    from campaign.petitions.service import manage, signing

    petition = make_petition(engine)
    with receiver() as inbox:
        make_webhook(engine, petition.organisation_id, inbox.url)
        add_signature(
            engine, settings, petition, email="ana@example.org", wants_updates=True, confirm=False
        )
        with transaction(engine) as session:  # kept as suspect, then confirmed: not counted
            session.execute(update(Signature).values(suspect=True))
        with transaction(engine) as session:
            row = session.exec(select(Signature)).one()
            signing.confirm_signature(
                session,
                settings=settings,
                petition=session.get(Petition, petition.id),  # type: ignore[arg-type]
                token=signing.confirmation_token(settings, row),
            )
        assert deliver(engine, settings) == 0  # not counted, so no one is told
        with transaction(engine) as session:
            manage.accept_signatures(
                session,
                settings=settings,
                petition=session.get(Petition, petition.id),  # type: ignore[arg-type]
                criteria=SignatureFilter(suspect_only=True),
            )
        deliver(engine, settings)
    assert inbox.events() == ["signature.confirmed"]
