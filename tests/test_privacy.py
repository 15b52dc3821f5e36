"""/my-data: asking never reveals whether an address is known; the mailed link shows, downloads
and erases everything stored about it; counts stay right after erasure."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, Signature
from tests.conftest import csrf_from
from tests.factories import add_signature, link_in, make_petition, send_mail
from tests.smtp_server import SmtpServer

ADDRESS = "Ana.Bialiatskaya+petitions@example.org"


def ask(client: TestClient, email: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/my-data", data={"csrf_token": csrf_from(client, "/my-data"), "email": email}
    )


def mailed_link(engine: Engine, settings: Settings, smtp: SmtpServer, email: str) -> str:
    send_mail(engine, settings)
    [mail] = [m for m in smtp.handler.messages if email in str(m["To"])]
    return link_in(mail.get_body(("plain",)).get_content(), "/my-data?token=")


def test_asking_looks_the_same_for_a_known_and_an_unknown_address(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    add_signature(engine, settings, make_petition(engine), email="known@example.org")
    known, unknown = ask(client, "known@example.org"), ask(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda text: text.replace("known@", "").replace("nobody@", "")  # noqa: E731
    assert strip(known.text.split("<main")[1]) == strip(unknown.text.split("<main")[1])
    assert "no-store" in known.headers["cache-control"]


def test_the_link_shows_downloads_and_erases_everything_and_counts_stay(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine, title="Free Anna")
    add_signature(engine, settings, petition, email=ADDRESS, name="Ana Bialiatskaya")
    add_signature(engine, settings, petition, email="someone.else@example.org")
    ask(client, "ana.bialiatskaya@example.org")  # another spelling of the same mailbox
    link = mailed_link(engine, settings, smtp, "ana.bialiatskaya@example.org")
    path = link.split("testserver")[-1]

    page = client.get(path)
    assert page.status_code == 200
    assert 'Signature on "Free Anna"' in page.text and "Ana Bialiatskaya" in page.text
    token = path.split("token=")[1].split("&")[0]
    csrf = csrf_from(client, path)
    data = client.post("/my-data/download", data={"csrf_token": csrf, "token": token})
    assert data.headers["content-disposition"].startswith("attachment")
    [signature] = json.loads(data.text)["signatures"]
    assert signature["email"] == ADDRESS and signature["petition"] == "Free Anna"

    refused = client.post("/my-data/erase", data={"csrf_token": csrf, "token": token})
    assert refused.status_code == 400 and 'id="error-confirm"' in refused.text
    done = client.post("/my-data/erase", data={"csrf_token": csrf, "token": token, "confirm": "1"})
    assert done.status_code == 200 and "is erased" in done.text

    with Session(engine) as session:
        emails = sorted(s.email for s in session.exec(select(Signature)).all())
        assert emails == ["", "someone.else@example.org"]
        assert session.get(Petition, petition.id).signature_count == 2  # type: ignore[union-attr]
        [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "privacy.erased"))
        assert event.details["signatures"] == 1 and event.actor == ""
        assert "bialiatskaya" not in json.dumps(event.details).lower()
    assert "We hold nothing about this address." in client.get(path).text


def test_a_forged_or_altered_link_shows_nothing(client: TestClient) -> None:
    page = client.get("/my-data?token=forged.token.here")
    assert page.status_code == 400
    assert "Ask for a new one" in page.text


def test_an_admin_answers_a_request_by_letter_and_the_trail_names_no_one(
    admin_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email=ADDRESS, name="Ana Requester")
    token = csrf_from(admin_client, "/admin/privacy")
    shown = admin_client.post("/admin/privacy", data={"csrf_token": token, "email": ADDRESS})
    assert shown.status_code == 200 and "Ana Requester" in shown.text
    assert shown.headers["cache-control"] == "private, no-store"
    download = admin_client.post(
        "/admin/privacy/download", data={"csrf_token": token, "email": ADDRESS}
    )
    assert json.loads(download.text)["signatures"][0]["name"] == "Ana Requester"
    unconfirmed = admin_client.post(
        "/admin/privacy/erase", data={"csrf_token": token, "email": ADDRESS}
    )
    assert unconfirmed.status_code == 400
    erased = admin_client.post(
        "/admin/privacy/erase", data={"csrf_token": token, "email": ADDRESS, "confirm": "1"}
    )
    assert erased.status_code == 200 and "is erased" in erased.text
    with Session(engine) as session:
        signature = session.exec(select(Signature)).one()
        assert signature.name == "" and signature.email == ""
        assert session.get(Petition, petition.id).signature_count == 1  # type: ignore[union-attr]
        trail = session.exec(
            select(AuditEvent).where(AuditEvent.action.startswith("privacy."))
        ).all()  # type: ignore[attr-defined]
    assert [e.action for e in trail] == ["privacy.looked_up", "privacy.exported", "privacy.erased"]
    assert all(e.actor == "admin@example.org" for e in trail)
    assert "ana" not in " ".join(str(e.details).lower() for e in trail)
    assert len({e.details["reference"] for e in trail}) == 1  # one person, one reference


def test_organisers_cannot_look_people_up(organiser_client: TestClient) -> None:
    assert organiser_client.get("/admin/privacy").status_code == 403
