"""The guards around a signature: when signing is refused, what counts, and what a stranger
can learn from the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from campaign.content.service import save_version
from campaign.core.db import transaction, utcnow
from campaign.core.security import email_index, read_token
from campaign.core.settings import Settings
from campaign.core.switches import SIGNING_PAUSED, set_flag
from campaign.mail.models import MailPriority, OutboxMessage
from campaign.petitions.forms import SignatureFilter, SignForm
from campaign.petitions.models import Petition, PetitionTally, Signature
from campaign.petitions.service import manage, signing
from tests.conftest import csrf_from
from tests.factories import link_in, make_petition, send_mail
from tests.petitions.conftest import sign_with_service
from tests.smtp_server import SmtpServer


def post_signature(client: TestClient, settings: Settings, petition: Petition, email: str):  # type: ignore[no-untyped-def]
    """A complete, valid sign form for the petition, posted as a browser would."""
    return client.post(
        f"/petitions/{petition.slug}/sign",
        data={
            "csrf_token": csrf_from(client, "/login"),  # the browser's token, from any form
            "started": signing.form_started_token(settings, petition.id),  # type: ignore[arg-type]
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
    sign_with_service(engine, settings, petition, form, ip=ip)


def confirm(engine: Engine, settings: Settings, petition: Petition, email: str) -> str:
    with transaction(engine) as session:
        index = email_index(settings, email)
        row = session.exec(select(Signature).where(Signature.email_hash == index)).one()
        return signing.confirm_signature(
            session,
            settings=settings,
            petition=petition,
            token=signing.confirmation_token(settings, row),
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
            session,
            settings=settings,
            petition=petition,
            criteria=SignatureFilter(suspect_only=True),
        )
    assert accepted == 1
    assert counted(engine, petition) == (0, {})  # accepted, but nobody has confirmed yet

    assert confirm(engine, settings, petition, "stall@example.org") == "confirmed"
    assert counted(engine, petition) == (1, {"PL": 1})
    assert confirm(engine, settings, petition, "stall@example.org") == "already"
    with transaction(engine) as session:  # accepting again changes nothing
        manage.accept_signatures(
            session,
            settings=settings,
            petition=petition,
            criteria=SignatureFilter(suspect_only=True),
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
            session,
            settings=settings,
            petition=petition,
            criteria=SignatureFilter(suspect_only=True),
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


def test_one_client_is_limited_per_petition_not_across_petitions(
    engine: Engine, settings: Settings
) -> None:
    first = make_petition(engine, slug="first")
    second = make_petition(engine, slug="second")
    tight = settings.model_copy(update={"sign_limit_burst": "2/minute"})
    for n in range(3):
        sign(engine, tight, first, f"first{n}@example.org")
    sign(engine, tight, second, "second@example.org")
    with Session(engine) as session:
        rows = sorted(session.exec(select(Signature)).all(), key=lambda s: s.id or 0)
    assert [(row.petition_id, row.suspect) for row in rows] == [
        (first.id, False),
        (first.id, False),
        (first.id, True),  # the third from this client on this petition within a minute
        (second.id, False),  # the same client's first on another petition
    ]


def sign_in(
    engine: Engine, settings: Settings, petition: Petition, email: str, locale: str, ip: str
) -> signing.SignOutcome:
    """Sign as a reader of `locale` (the language of the page the form was sent from)."""
    form = SignForm(
        name="Ales Bialiatski",
        email=email,
        country="BY",
        city="",
        wants_updates=False,
        show_publicly=False,
    )
    return sign_with_service(engine, settings, petition, form, ip=ip, locale=locale)


def belarusian_petition(engine: Engine) -> Petition:
    petition = make_petition(engine, slug="free-ales", title="Free Ales")
    with transaction(engine) as session:
        row = session.get(Petition, petition.id)
        save_version(session, "petition", row, "be", {"title": "Вызваліце Алеся"})
        session.flush()
        session.refresh(row)
        session.expunge(row)
    return row  # type: ignore[return-value]


def test_signing_again_after_confirming_mails_a_link_to_the_petition_in_the_first_language(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = belarusian_petition(engine)
    sign_in(engine, settings, petition, "ales@example.org", "be", ip="home")
    assert confirm(engine, settings, petition, "ales@example.org") == "confirmed"
    again = sign_in(engine, settings, petition, "ales@example.org", "en", ip="cafe")
    assert again == signing.SignOutcome.already_confirmed
    send_mail(engine, settings)
    # The worker may deliver them in any order.
    link, repeat = sorted(smtp.handler.to("ales@example.org"), key=lambda m: "ўжо" in m["Subject"])
    assert repeat["Subject"] == "Вы ўжо падпісалі: Вызваліце Алеся"
    assert repeat["Message-ID"].endswith("@testserver>")
    text = repeat.get_body(("plain",)).get_content()
    assert "Ales Bialiatski" in text and "Вызваліце Алеся" in text
    assert "http://testserver/petitions/free-ales?lang=be" in text.split()
    assert "token" not in text  # nothing to confirm: it counts already
    assert "/confirm?token=" in link.get_body(("plain",)).get_content()


def test_signing_again_before_confirming_mails_the_same_working_link_in_the_first_language(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = belarusian_petition(engine)
    sign_in(engine, settings, petition, "ales@example.org", "be", ip="home")
    again = sign_in(engine, settings, petition, "ales@example.org", "en", ip="cafe")
    assert again == signing.SignOutcome.resent
    send_mail(engine, settings)
    first, second = smtp.handler.to("ales@example.org")
    assert first["Subject"] == second["Subject"]
    assert "Вызваліце Алеся" in second["Subject"]
    body = second.get_body(("plain",)).get_content()
    assert "Ales Bialiatski" in body
    link = link_in(body, "/confirm?token=")
    first_link = link_in(first.get_body(("plain",)).get_content(), "/confirm?token=")
    assert link.startswith("/petitions/free-ales/confirm?token=") and link.endswith("&lang=be")
    token = link.split("token=")[1].split("&")[0]
    # The same signature and nonce: the tokens differ only by their signing second.
    first_token = first_link.split("token=")[1].split("&")[0]
    named = [read_token(settings, "signature", t, max_age=60) for t in (first_token, token)]
    assert named[0] == named[1] and named[0] is not None
    with transaction(engine) as session:
        outcome = signing.confirm_signature(
            session, settings=settings, petition=petition, token=token
        )
    assert outcome == signing.ConfirmOutcome.confirmed


@pytest.mark.parametrize("confirmed", [False, True])
def test_a_repeat_from_a_client_past_its_limits_is_mailed_after_everyone_else(
    engine: Engine, settings: Settings, confirmed: bool
) -> None:
    petition = make_petition(engine)
    tight = settings.model_copy(update={"sign_limit_burst": "1/minute"})
    sign(engine, tight, petition, "ana@example.org", ip="flooding-client")
    if confirmed:
        confirm(engine, tight, petition, "ana@example.org")
    sign(engine, tight, petition, "ana@example.org", ip="flooding-client")
    with Session(engine) as session:
        mails = sorted(session.exec(select(OutboxMessage)).all(), key=lambda m: m.id or 0)
    assert [(m.template, m.priority) for m in mails] == [
        ("confirm_signature", MailPriority.normal),
        ("already_signed" if confirmed else "confirm_signature", MailPriority.low),
    ]


def test_signing_one_of_several_petitions_again_mails_that_petitions_own_link(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    first = make_petition(engine, slug="first-petition")
    second = make_petition(engine, slug="second-petition")
    sign_in(engine, settings, first, "ales@example.org", "en", ip="home")
    sign_in(engine, settings, second, "ales@example.org", "en", ip="home")
    sign_in(engine, settings, second, "someone@example.org", "en", ip="home")
    assert sign_in(engine, settings, second, "ales@example.org", "en", ip="home") == "resent"
    send_mail(engine, settings)
    mails = smtp.handler.to("ales@example.org")
    assert len(mails) == 3
    for mail in mails:
        assert mail["Message-ID"].endswith("@testserver>")
        assert "Ales Bialiatski" in mail.get_body(("plain",)).get_content()
    # The worker may deliver them in any order.
    links = sorted(link_in(m.get_body(("plain",)).get_content(), "/confirm?token=") for m in mails)
    assert links[0].startswith("/petitions/first-petition/confirm?token=")
    assert links[1] == links[2] and links[2].startswith("/petitions/second-petition/confirm?")
