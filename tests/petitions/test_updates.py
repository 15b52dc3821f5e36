"""Updates reach only signers who asked for them, and one click stops them without login."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.petitions.models import Signature
from tests.conftest import csrf_from
from tests.factories import add_signature, make_petition, send_mail
from tests.smtp_server import SmtpServer


def opt_in(engine: Engine, *emails: str, locale: str = "en") -> None:
    with transaction(engine) as session:
        for signature in session.exec(select(Signature)).all():
            if signature.email in emails:
                signature.wants_updates, signature.locale = True, locale


def send(
    client: TestClient,
    petition_id: int,
    subject: str = "Anna was moved to a hospital",
    body: str = "She needs **letters** now.",
):  # type: ignore[no-untyped-def]
    path = f"/admin/petitions/{petition_id}/updates"
    return client.post(
        path, data={"csrf_token": csrf_from(client, path), "subject": subject, "body": body}
    )


def test_an_update_reaches_only_signers_who_asked_for_it(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="yes@example.org")
    add_signature(engine, settings, petition, email="no@example.org")
    add_signature(engine, settings, petition, email="pending@example.org", confirm=False)
    opt_in(engine, "yes@example.org", "pending@example.org")
    smtp.handler.reset()
    response = send(organiser_client, petition.id)  # type: ignore[arg-type]
    assert response.status_code == 303
    assert "The update goes to 1 signer." in organiser_client.get(response.headers["location"]).text
    send_mail(engine, settings)
    [mail] = [m for m in smtp.messages if m["Subject"] == "Anna was moved to a hospital"]
    assert mail["To"] == "yes@example.org"
    assert "<strong>letters</strong>" in mail.get_body(("html",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].strip().startswith("<http://testserver/unsubscribe?token=")


def test_one_click_unsubscribe_works_without_cookies_or_login(
    organiser_client: TestClient,
    app,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,  # type: ignore[no-untyped-def]
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="yes@example.org")
    opt_in(engine, "yes@example.org")
    send(organiser_client, petition.id)  # type: ignore[arg-type]
    send_mail(engine, settings)
    [mail] = [m for m in smtp.messages if m["List-Unsubscribe"]]
    url = mail["List-Unsubscribe"].strip().strip("<>").replace("http://testserver", "")
    with TestClient(app) as mail_provider:  # RFC 8058: a bare POST from the mail provider
        response = mail_provider.post(url, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You will get no more updates" in response.text
    with Session(engine) as session:
        [signature] = session.exec(select(Signature)).all()
        assert signature.unsubscribed_at is not None
    smtp.handler.reset()
    send(organiser_client, petition.id, subject="Second update")  # type: ignore[arg-type]
    send_mail(engine, settings)
    assert [m for m in smtp.messages if m["Subject"] == "Second update"] == []


def test_the_unsubscribe_page_asks_before_acting(client: TestClient) -> None:
    page = client.get("/unsubscribe?token=abc")
    assert page.status_code == 200 and "Stop updates" in page.text
    assert 'name="token" value="abc"' in page.text


def test_a_forged_unsubscribe_link_changes_nothing(client: TestClient) -> None:
    response = client.post("/unsubscribe?token=forged")
    assert response.status_code == 400
    assert "This link does not work" in response.text


def test_an_update_needs_a_subject_and_a_message(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    response = send(organiser_client, petition.id, subject="", body="")  # type: ignore[arg-type]
    assert response.status_code == 400
    assert 'id="error-subject"' in response.text and 'id="error-body"' in response.text
