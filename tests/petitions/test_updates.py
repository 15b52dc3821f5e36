"""Updates reach only signers who asked for them, after a preview, an optional test to oneself
and a confirmation that says how many will receive them; each signer reads their language's
version; a scheduled update goes when due; one click stops them without login."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.mail.models import OutboxMessage
from campaign.petitions.models import Petition, PetitionUpdate, Signature, UpdateStatus
from campaign.site.jobs import housekeeping_jobs
from tests.conftest import csrf_from
from tests.factories import add_signature, make_petition, send_mail
from tests.smtp_server import SmtpServer

EXPECTED = re.compile(r'name="expected" value="(\d+)"')


def opt_in(engine: Engine, *emails: str, locale: str = "en") -> None:
    with transaction(engine) as session:
        for signature in session.exec(select(Signature)).all():
            if signature.email in emails:
                signature.wants_updates, signature.locale = True, locale


def petition_with_a_reader(engine: Engine, settings: Settings, locale: str = "en") -> Petition:
    """A petition with one confirmed signer, yes@example.org, who asked for updates."""
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="yes@example.org")
    opt_in(engine, "yes@example.org", locale=locale)
    return petition


def write(
    client: TestClient,
    petition_id: int,
    subject: str = "Anna was moved to a hospital",
    body: str = "She needs **letters** now.",
):  # type: ignore[no-untyped-def]
    path = f"/admin/petitions/{petition_id}/updates"
    return client.post(
        path, data={"csrf_token": csrf_from(client, path), "subject": subject, "body": body}
    )


def draft(client: TestClient, petition_id: int, **text: str) -> str:
    """A new draft's page."""
    response = write(client, petition_id, **text)
    assert response.status_code == 303
    return str(response.headers["location"])


def confirm(client: TestClient, path: str, **form: str):  # type: ignore[no-untyped-def]
    """Send (or schedule) the update with the number its confirmation page showed."""
    page = client.get(f"{path}/confirm")
    expected = EXPECTED.search(page.text).group(1)  # type: ignore[union-attr]
    data = {"csrf_token": csrf_from(client, path), "expected": expected, **form}
    return client.post(f"{path}/send", data=data)


def translate(client: TestClient, path: str, locale: str, subject: str, body: str) -> None:
    version = f"{path}/versions/{locale}"
    data = {"csrf_token": csrf_from(client, version), "subject": subject, "body": body}
    assert client.post(version, data=data).status_code == 303


def queued_updates(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.template == "petition_update")
        return list(session.exec(query).all())


def test_an_update_reaches_only_signers_who_asked_for_it(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="yes@example.org")
    add_signature(engine, settings, petition, email="no@example.org")
    add_signature(engine, settings, petition, email="pending@example.org", confirm=False)
    opt_in(engine, "yes@example.org", "pending@example.org")
    smtp.handler.reset()
    response = confirm(organiser_client, draft(organiser_client, petition.id))  # type: ignore[arg-type]
    assert response.status_code == 303
    assert "The update goes to 1 signer." in organiser_client.get(response.headers["location"]).text
    send_mail(engine, settings)
    [mail] = [m for m in smtp.messages if m["Subject"] == "Anna was moved to a hospital"]
    assert mail["To"] == "yes@example.org"
    assert "<strong>letters</strong>" in mail.get_body(("html",)).get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Unsubscribe"].strip().startswith("<http://testserver/unsubscribe?token=")
    with Session(engine) as session:
        [event] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "petition.update_sent")
        ).all()
        assert event.details["count"] == 1


def test_the_preview_shows_the_mail_and_a_plain_text_without_markdown_marks(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = petition_with_a_reader(engine, settings)
    body = "She needs **letters** now.\n\n- write *today*\n\nRead [the appeal](https://example.org/appeal)."
    path = draft(organiser_client, petition.id, body=body)  # type: ignore[arg-type]

    page = organiser_client.get(path).text
    text = re.search(r'<pre class="mail-text preview-text">(.*?)</pre>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "She needs letters now." in text and "- write today" in text
    assert "Read the appeal (https://example.org/appeal)." in text
    assert "**" not in text and "*today*" not in text
    html = organiser_client.get(f"{path}/preview.html")
    assert "<strong>letters</strong>" in html.text and "<em>today</em>" in html.text
    assert "sandbox" in html.headers["content-security-policy"]
    assert queued_updates(engine) == []  # a preview queues nothing

    confirm(organiser_client, path)
    send_mail(engine, settings)
    [mail] = [
        m for m in smtp.messages if m["To"] == "yes@example.org" and "hospital" in m["Subject"]
    ]
    plain = mail.get_body(("plain",)).get_content()
    assert "She needs letters now." in plain and "**" not in plain
    assert "the appeal (https://example.org/appeal)" in plain


def test_a_test_mail_reaches_only_the_organiser(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = petition_with_a_reader(engine, settings)
    path = draft(organiser_client, petition.id)  # type: ignore[arg-type]
    send_mail(engine, settings)  # the signature's confirmation
    smtp.handler.reset()
    response = organiser_client.post(
        f"{path}/test", data={"csrf_token": csrf_from(organiser_client, path), "reader": "en"}
    )
    assert response.status_code == 303
    assert "organiser@example.org" in organiser_client.get(response.headers["location"]).text
    send_mail(engine, settings)
    [mail] = smtp.messages
    assert mail["To"] == "organiser@example.org"
    assert mail["Subject"] == "[TEST] Anna was moved to a hospital"
    assert mail["List-Unsubscribe"] is None
    assert "only you received it" in mail.get_body(("plain",)).get_content()
    with Session(engine) as session:
        assert session.exec(select(PetitionUpdate)).one().status == UpdateStatus.draft


def test_the_confirmation_says_exactly_how_many_and_nothing_is_queued_before(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    for name in ("a", "b", "no-updates", "suspect", "gone", "later"):
        add_signature(engine, settings, petition, email=f"{name}@example.org")
    add_signature(engine, settings, petition, email="pending@example.org", confirm=False)
    opt_in(engine, "a@example.org", "b@example.org", "suspect@example.org", "gone@example.org")
    opt_in(engine, "pending@example.org")
    with transaction(engine) as session:
        for signature in session.exec(select(Signature)).all():
            signature.suspect = signature.email == "suspect@example.org"
            if signature.email == "gone@example.org":
                signature.unsubscribed_at = utcnow()
    path = draft(organiser_client, petition.id)  # type: ignore[arg-type]
    page = organiser_client.get(f"{path}/confirm")
    assert "2 signers will receive it." in page.text
    assert 'name="expected" value="2"' in page.text
    assert queued_updates(engine) == []

    opt_in(engine, "later@example.org")  # a third asks for updates while the organiser reads
    stale = organiser_client.post(
        f"{path}/send", data={"csrf_token": csrf_from(organiser_client, path), "expected": "2"}
    )
    assert stale.status_code == 409
    assert "3 signers will receive it." in stale.text
    assert queued_updates(engine) == []
    assert confirm(organiser_client, path).status_code == 303
    assert sorted(m.to_addr for m in queued_updates(engine)) == [
        "a@example.org",
        "b@example.org",
        "later@example.org",
    ]
    again = organiser_client.post(
        f"{path}/send", data={"csrf_token": csrf_from(organiser_client, path), "expected": "3"}
    )
    assert again.status_code == 303 and len(queued_updates(engine)) == 3  # sent once


def test_each_signer_gets_the_version_in_their_language_else_the_original(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine)
    for email in ("be@example.org", "ru@example.org", "en@example.org"):
        add_signature(engine, settings, petition, email=email)
    opt_in(engine, "be@example.org", locale="be")
    opt_in(engine, "ru@example.org", locale="ru")
    opt_in(engine, "en@example.org")
    path = draft(organiser_client, petition.id)  # type: ignore[arg-type]
    translate(organiser_client, path, "be", "Ганну перавялі ў шпіталь", "Ёй патрэбныя **лісты**.")
    preview = organiser_client.get(f"{path}?reader=be").text
    assert "Ганну перавялі ў шпіталь" in preview and "Ёй патрэбныя лісты." in preview
    assert '<html lang="en">' in preview  # the organiser reads a version, in their own language
    page = organiser_client.get(f"{path}/confirm").text
    assert "3 signers will receive it." in page
    send_mail(engine, settings)  # the signatures' confirmations
    smtp.handler.reset()
    confirm(organiser_client, path)
    send_mail(engine, settings)
    subjects = {m["To"]: m["Subject"] for m in smtp.messages}
    assert subjects == {
        "be@example.org": "Ганну перавялі ў шпіталь",
        "ru@example.org": "Anna was moved to a hospital",
        "en@example.org": "Anna was moved to a hospital",
    }
    [belarusian] = [m for m in smtp.messages if m["To"] == "be@example.org"]
    assert "<strong>лісты</strong>" in belarusian.get_body(("html",)).get_content()


def run_scheduled_updates(engine: Engine, settings: Settings) -> None:
    """The worker's periodic job, as the worker runs it."""
    [job] = [j for j in housekeeping_jobs(engine, settings) if j.__name__ == "scheduled_updates"]
    job()


def test_a_scheduled_update_goes_only_when_due_and_can_be_cancelled(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = petition_with_a_reader(engine, settings)
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    path = draft(organiser_client, petition.id, subject="Day of action")  # type: ignore[arg-type]
    response = confirm(organiser_client, path, when="later", send_at=later)
    assert response.status_code == 303
    assert "Scheduled for" in organiser_client.get(path).text
    run_scheduled_updates(engine, settings)
    assert queued_updates(engine) == []

    with transaction(engine) as session:  # the time comes
        session.execute(update(PetitionUpdate).values(send_at=utcnow() - timedelta(minutes=1)))
    send_mail(engine, settings)  # the signature's confirmation
    smtp.handler.reset()
    run_scheduled_updates(engine, settings)
    run_scheduled_updates(engine, settings)
    send_mail(engine, settings)
    assert [(m["To"], m["Subject"]) for m in smtp.messages] == [
        ("yes@example.org", "Day of action")
    ]

    second = draft(organiser_client, petition.id, subject="Cancelled plan")  # type: ignore[arg-type]
    confirm(organiser_client, second, when="later", send_at=later)
    cancel = organiser_client.post(
        f"{second}/cancel", data={"csrf_token": csrf_from(organiser_client, second)}
    )
    assert cancel.status_code == 303
    with transaction(engine) as session:
        session.execute(update(PetitionUpdate).values(send_at=utcnow() - timedelta(minutes=1)))
    run_scheduled_updates(engine, settings)
    assert [m.context["subject"] for m in queued_updates(engine)] == ["Day of action"]
    with Session(engine) as session:
        statuses = {u.subject: u.status for u in session.exec(select(PetitionUpdate)).all()}
    assert statuses == {"Day of action": "sent", "Cancelled plan": "draft"}


def test_a_time_in_the_past_is_not_scheduled(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    path = draft(organiser_client, petition.id)  # type: ignore[arg-type]
    past = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = confirm(organiser_client, path, when="later", send_at=past)
    assert response.status_code == 409 and "Choose a time in the future." in response.text


def test_one_click_unsubscribe_works_without_cookies_or_login(
    organiser_client: TestClient,
    app,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,  # type: ignore[no-untyped-def]
) -> None:
    petition = petition_with_a_reader(engine, settings)
    confirm(organiser_client, draft(organiser_client, petition.id))  # type: ignore[arg-type]
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
    second = draft(organiser_client, petition.id, subject="Second update")  # type: ignore[arg-type]
    assert "0 signers will receive it." in organiser_client.get(f"{second}/confirm").text


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
    response = write(organiser_client, petition.id, subject="", body="")  # type: ignore[arg-type]
    assert response.status_code == 400
    assert 'id="error-subject"' in response.text and 'id="error-body"' in response.text
