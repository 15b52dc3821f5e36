"""Volunteers sign in by a mailed link, log letters, and follow up on them."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.crypto import keyring
from campaign.core.security import signer
from campaign.core.settings import Settings
from campaign.prisoners.models import SolidarityLetter, Volunteer
from tests.conftest import csrf_from
from tests.factories import link_in, make_prisoner, send_mail
from tests.smtp_server import SmtpServer


def sign_in(client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer) -> None:
    """Ask for a link, open the mail, press the button: as a volunteer would."""
    token = csrf_from(client, "/volunteer/signin")
    asked = client.post("/volunteer/signin", data={"csrf_token": token, "email": "vol@example.org"})
    assert asked.status_code == 200 and "sign-in link is on its way" in asked.text
    send_mail(engine, settings)
    (mail,) = smtp.handler.to("vol@example.org")
    path = link_in(mail.get_body(("plain",)).get_content(), "/volunteer/signin")  # type: ignore[union-attr]
    page = client.get(path)
    assert page.status_code == 200
    link_token = parse_qs(urlsplit(path).query)["token"][0]
    done = client.post(
        "/volunteer/signin", data={"csrf_token": csrf_from(client, path), "token": link_token}
    )
    assert done.status_code == 303 and done.headers["location"] == "/volunteer"
    again = client.post(
        "/volunteer/signin", data={"csrf_token": csrf_from(client, path), "token": link_token}
    )
    assert again.status_code == 400  # a link works once


def test_a_volunteer_signs_in_by_link_logs_a_letter_and_marks_it_answered(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Anna Kavalchuk")
    assert client.get("/volunteer", follow_redirects=False).headers["location"] == (
        "/volunteer/signin"
    )
    sign_in(client, engine, settings, smtp)
    profile = f"/prisoners/{prisoner.slug}"
    token = csrf_from(client, profile)
    logged = client.post(
        f"{profile}/log",
        data={"csrf_token": token, "sent_on": date.today().isoformat(), "channel": "post"},
    )
    assert logged.status_code == 303
    assert logged.headers["location"] == profile  # the confirmation at the top is in view
    assert "Your letter is logged" in client.get(profile).text
    assert "Anna Kavalchuk" in client.get("/volunteer").text
    with Session(engine) as session:
        letter = session.exec(select(SolidarityLetter)).one()
    answered = client.post(
        f"/volunteer/letters/{letter.id}",
        data={
            "csrf_token": token,
            "state": "answered",
            "outcome_on": date.today().isoformat(),
            "note": "Got a postcard back!",
        },
    )
    assert answered.status_code == 303
    with Session(engine) as session:
        letter = session.exec(select(SolidarityLetter)).one()
        assert (letter.state, letter.note) == ("answered", "Got a postcard back!")
    listed = client.get("/prisoners").text
    assert "1 volunteer wrote in the last 30 days" in listed
    assert "vol@example.org" not in client.get(profile).text


def test_letters_without_news_after_six_weeks_are_flagged_for_follow_up(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine)
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{prisoner.slug}")
    old = (date.today() - timedelta(days=50)).isoformat()
    client.post(
        f"/prisoners/{prisoner.slug}/log",
        data={"csrf_token": token, "sent_on": old, "channel": "relay"},
    )
    assert "Any news of these letters?" in client.get("/volunteer").text


def test_a_letter_to_a_released_person_is_kept_with_a_warning_and_bad_dates_are_refused(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    released = make_prisoner(engine, status="released")
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{released.slug}")
    future = (date.today() + timedelta(days=3)).isoformat()
    refused = client.post(
        f"/prisoners/{released.slug}/log",
        data={"csrf_token": token, "sent_on": future, "channel": "post"},
    )
    assert refused.status_code == 400 and 'id="error-sent_on"' in refused.text
    assert "cannot be in the future" in refused.text
    kept = client.post(
        f"/prisoners/{released.slug}/log",
        data={"csrf_token": token, "sent_on": date.today().isoformat(), "channel": "post"},
    )
    assert "no longer held" in client.get(kept.headers["location"]).text
    with Session(engine) as session:
        assert len(session.exec(select(SolidarityLetter)).all()) == 1


def test_a_volunteer_cannot_touch_someone_elses_letter_and_signing_out_ends_the_session(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine)
    with Session(engine) as session:
        other = SolidarityLetter(prisoner_id=prisoner.id, sent_on=date.today())  # type: ignore[arg-type]
        session.add(other)
        session.commit()
        other_id = other.id
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, "/volunteer")
    stolen = client.post(
        f"/volunteer/letters/{other_id}", data={"csrf_token": token, "state": "returned"}
    )
    assert stolen.status_code == 404
    cookie = client.cookies.get("campaign_volunteer")
    assert client.post("/volunteer/signout", data={"csrf_token": token}).status_code == 303
    client.cookies.set("campaign_volunteer", cookie or "")
    assert client.get("/volunteer", follow_redirects=False).status_code == 303


def test_asking_for_a_link_looks_the_same_for_any_address(
    client: TestClient, engine: Engine
) -> None:
    token = csrf_from(client, "/volunteer/signin")
    first = client.post("/volunteer/signin", data={"csrf_token": token, "email": "a@example.org"})
    second = client.post("/volunteer/signin", data={"csrf_token": token, "email": "a@example.org"})
    assert first.text == second.text
    bad = client.post("/volunteer/signin", data={"csrf_token": token, "email": "nope"})
    assert bad.status_code == 400 and 'id="error-email"' in bad.text
    with Session(engine) as session:
        assert session.exec(select(Volunteer)).all() == []


def test_an_address_typed_into_the_sign_in_form_is_stored_only_once_its_link_is_used(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    token = csrf_from(client, "/volunteer/signin")
    client.post("/volunteer/signin", data={"csrf_token": token, "email": "Vera.K@example.org"})
    send_mail(engine, settings)
    (mail,) = smtp.handler.to("Vera.K@example.org")
    path = link_in(mail.get_body(("plain",)).get_content(), "/volunteer/signin")  # type: ignore[union-attr]
    link_token = parse_qs(urlsplit(path).query)["token"][0]
    payload = base64.urlsafe_b64decode(link_token.split(".")[0] + "==")
    assert b"vera" not in path.lower().encode() and b"vera" not in payload.lower()
    with Session(engine) as session:
        assert session.exec(select(Volunteer)).all() == []

    done = client.post(
        "/volunteer/signin", data={"csrf_token": csrf_from(client, path), "token": link_token}
    )
    assert done.status_code == 303 and done.headers["location"] == "/volunteer"
    with Session(engine) as session:
        (volunteer,) = session.exec(select(Volunteer)).all()
        assert volunteer.email == "Vera.K@example.org" and volunteer.locale == "en"
    again = client.post(
        "/volunteer/signin", data={"csrf_token": csrf_from(client, path), "token": link_token}
    )
    assert again.status_code == 400
    known = client.post(
        "/volunteer/signin", data={"csrf_token": token, "email": "vera.k@example.org"}
    )
    unknown = client.post("/volunteer/signin", data={"csrf_token": token, "email": "n@example.org"})
    assert known.status_code == unknown.status_code == 200 and known.text == unknown.text


def test_an_unknown_address_gets_at_most_five_links_an_hour_and_the_page_does_not_say(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    token = csrf_from(client, "/volunteer/signin")
    pages = {
        client.post("/volunteer/signin", data={"csrf_token": token, "email": "x@example.org"}).text
        for _ in range(7)
    }
    assert len(pages) == 1
    send_mail(engine, settings)
    assert len(smtp.handler.to("x@example.org")) == 5
    with Session(engine) as session:
        assert session.exec(select(Volunteer)).all() == []


def test_a_volunteer_who_signs_in_again_is_the_same_volunteer_with_her_letters(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine, name_latin="Anna Kavalchuk")
    sign_in(client, engine, settings, smtp)
    token = csrf_from(client, f"/prisoners/{prisoner.slug}")
    client.post(
        f"/prisoners/{prisoner.slug}/log",
        data={"csrf_token": token, "sent_on": date.today().isoformat(), "channel": "post"},
    )
    client.post("/volunteer/signout", data={"csrf_token": token})
    smtp.handler.reset()
    sign_in(client, engine, settings, smtp)
    assert "Anna Kavalchuk" in client.get("/volunteer").text
    with Session(engine) as session:
        assert len(session.exec(select(Volunteer)).all()) == 1


def test_a_forged_first_sign_in_link_creates_no_one(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    forged = signer(settings.model_copy(update={"secret_key": "x" * 40}), "volunteer-first-link")
    sealed = keyring().encrypt(b"eve@example.org", b"volunteer-first-link.email")
    token = forged.dumps([sealed, "en"])
    answer = client.post(
        "/volunteer/signin",
        data={"csrf_token": csrf_from(client, "/volunteer/signin"), "token": token},
    )
    assert answer.status_code == 400
    with Session(engine) as session:
        assert session.exec(select(Volunteer)).all() == []


def test_my_data_does_not_list_an_address_that_never_signed_in(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    token = csrf_from(client, "/volunteer/signin")
    client.post("/volunteer/signin", data={"csrf_token": token, "email": "typed@example.org"})
    client.post(
        "/my-data", data={"csrf_token": csrf_from(client, "/my-data"), "email": "typed@example.org"}
    )
    send_mail(engine, settings)
    mails = smtp.handler.to("typed@example.org")
    path = next(
        link_in(m.get_body(("plain",)).get_content(), "/my-data?token=")  # type: ignore[union-attr]
        for m in mails
        if "/my-data?token=" in m.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    )
    assert "We hold nothing about this address." in client.get(path).text
