"""The guards around a signature: when signing is refused, what counts, and what a stranger
can learn from the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from campaign.db import transaction, utcnow
from campaign.mail.models import OutboxMessage
from campaign.petitions import manage, service
from campaign.petitions.forms import SignForm
from campaign.petitions.models import Petition, PetitionTally, Signature
from campaign.ratelimit import Limiter
from campaign.security import email_index
from campaign.settings import Settings
from campaign.sitesettings import SIGNING_PAUSED, set_flag
from tests.conftest import csrf_from
from tests.factories import make_petition, send_mail
from tests.smtp_server import SmtpServer


@pytest.fixture
def quick(settings: Settings, app):  # type: ignore[no-untyped-def]
    """No minimum fill time, so tests can submit at once."""
    app.state.settings = settings.model_copy(update={"sign_min_fill_seconds": 0})
    return app


def post_signature(client: TestClient, settings: Settings, petition: Petition, email: str):  # type: ignore[no-untyped-def]
    """A complete, valid sign form for the petition, posted as a browser would."""
    return client.post(
        f"/petitions/{petition.slug}/sign",
        data={
            "csrf_token": csrf_from(client, "/login"),  # the browser's token, from any form
            "started": service.form_started_token(settings, petition.id),  # type: ignore[arg-type]
            "name": "Ana Bialiatskaya",
            "email": email,
            "country": "LT",
            "city": "Vilnius",
            "consent": "1",
        },
    )


def stored(engine: Engine) -> tuple[int, int]:
    """(signatures, queued mails) in the database."""
    with Session(engine) as session:
        signatures = session.exec(select(func.count()).select_from(Signature)).one()
        mails = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    return int(signatures), int(mails)


@pytest.mark.parametrize(
    "why",
    ["paused by its organiser", "closed", "past its last day", "site-wide pause", "draft"],
)
def test_a_petition_that_is_not_taking_signatures_refuses_a_posted_one(
    client: TestClient, quick, engine: Engine, settings: Settings, why: str
) -> None:
    overrides: dict[str, object] = {
        "paused by its organiser": {"signing_paused": True},
        "closed": {"status": "closed"},
        "past its last day": {"ends_at": utcnow() - timedelta(minutes=1)},
        "site-wide pause": {},
        "draft": {"status": "draft"},
    }[why]
    petition = make_petition(engine, **overrides)
    if why == "site-wide pause":
        with transaction(engine) as session:
            set_flag(session, SIGNING_PAUSED, True)
    response = post_signature(client, settings, petition, "ana@example.org")
    assert response.status_code == (404 if why == "draft" else 409)
    if why != "draft":
        assert "Signing is closed" in response.text
    assert stored(engine) == (0, 0)


def test_the_same_post_to_an_open_petition_is_taken(
    client: TestClient, quick, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    response = post_signature(client, settings, petition, "ana@example.org")
    assert response.status_code == 303
    assert stored(engine) == (1, 1)


def sign(
    engine: Engine, settings: Settings, petition: Petition, email: str, ip: str = "one-client"
) -> None:
    form = SignForm(
        name="Ana Bialiatskaya",
        email=email,
        country="PL",
        city="",
        wants_updates=False,
        show_publicly=False,
    )
    with transaction(engine) as session:
        service.sign_petition(
            session,
            settings=settings,
            limiter=Limiter(session),
            petition=petition,
            form=form,
            ip_hash=ip,
            locale="en",
        )


def confirm(engine: Engine, settings: Settings, petition: Petition, email: str) -> str:
    with transaction(engine) as session:
        index = email_index(settings, email)
        row = session.exec(select(Signature).where(Signature.email_hash == index)).one()
        return service.confirm_signature(
            session,
            settings=settings,
            petition=petition,
            token=service.confirmation_token(settings, row),
        ).value


def counted(engine: Engine, petition: Petition) -> tuple[int, dict[str, int]]:
    with Session(engine) as session:
        total = session.get(Petition, petition.id).signature_count  # type: ignore[union-attr]
        tallies = {t.country: t.count for t in session.exec(select(PetitionTally)).all()}
    return total, {country: n for country, n in tallies.items() if n}


def test_an_accepted_suspect_signature_counts_only_once_it_is_confirmed(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    tight = settings.model_copy(
        update={"sign_limit_burst": "1/minute", "sign_limit_sustained": "10000/hour"}
    )
    sign(engine, tight, petition, "first@example.org")
    sign(engine, tight, petition, "stall@example.org")  # the same client again: suspect
    with Session(engine) as session:
        suspect = {s.email: s.suspect for s in session.exec(select(Signature)).all()}
    assert suspect == {"first@example.org": False, "stall@example.org": True}

    with transaction(engine) as session:
        accepted = manage.accept_signatures(
            session, petition=petition, criteria=manage.SignatureFilter(suspect_only=True)
        )
    assert accepted == 1
    assert counted(engine, petition) == (0, {})  # accepted, but nobody has confirmed yet

    assert confirm(engine, settings, petition, "stall@example.org") == "confirmed"
    assert counted(engine, petition) == (1, {"PL": 1})
    assert confirm(engine, settings, petition, "stall@example.org") == "already"
    with transaction(engine) as session:  # accepting again changes nothing
        manage.accept_signatures(
            session, petition=petition, criteria=manage.SignatureFilter(suspect_only=True)
        )
    assert counted(engine, petition) == (1, {"PL": 1})


def test_a_suspect_signature_confirmed_first_counts_once_when_accepted(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    tight = settings.model_copy(update={"sign_limit_burst": "1/minute"})
    sign(engine, tight, petition, "first@example.org")
    sign(engine, tight, petition, "stall@example.org")
    assert confirm(engine, settings, petition, "stall@example.org") == "confirmed"
    assert counted(engine, petition) == (0, {})
    with transaction(engine) as session:
        manage.accept_signatures(
            session, petition=petition, criteria=manage.SignatureFilter(suspect_only=True)
        )
    assert counted(engine, petition) == (1, {"PL": 1})


def test_the_hourly_limit_marks_signatures_from_one_client_suspect(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    hourly = settings.model_copy(
        update={"sign_limit_burst": "10000/minute", "sign_limit_sustained": "3/hour"}
    )
    for n in range(5):
        sign(engine, hourly, petition, f"p{n}@example.org")
    sign(engine, hourly, petition, "elsewhere@example.org", ip="another-client")
    with Session(engine) as session:
        rows = sorted(session.exec(select(Signature)).all(), key=lambda s: s.id or 0)
    assert [(row.suspect, row.suspect_reason) for row in rows] == [
        (False, ""),
        (False, ""),
        (False, ""),
        (True, "rate limit"),
        (True, "rate limit"),
        (False, ""),
    ]


def test_signing_again_with_a_known_address_answers_exactly_like_a_new_address(
    client: TestClient, quick, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine)
    assert post_signature(client, settings, petition, "known@example.org").status_code == 303
    known = post_signature(client, settings, petition, "known@example.org")
    after_known = client.get(known.headers["location"])
    new = post_signature(client, settings, petition, "new@example.org")
    after_new = client.get(new.headers["location"])
    assert known.status_code == new.status_code == 303
    assert known.headers["location"] == new.headers["location"]
    assert known.content == new.content
    assert sorted(known.headers.keys()) == sorted(new.headers.keys())
    assert known.cookies == new.cookies
    assert after_known.status_code == after_new.status_code == 200
    assert after_known.text == after_new.text
    # Each address got one mail from the second form: a link again, or a first link.
    send_mail(engine, settings)
    assert len(smtp.handler.to("known@example.org")) == 2
    assert len(smtp.handler.to("new@example.org")) == 1
    assert stored(engine)[0] == 2
