"""A petition won and its official responses show on its page in the visitor's language, and
reach each signer who asked for updates once, in their language where a version was written;
a response's document must be a PDF of reasonable size."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core import i18n
from campaign.core.audit import AuditEvent
from campaign.core.i18n import localized_date
from campaign.core.pdfs import document
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, PetitionStatus, PetitionUpdate
from tests.conftest import csrf_from
from tests.factories import add_signature, make_petition, send_mail
from tests.petitions.test_updates import confirm, opt_in, petition_with_a_reader, translate
from tests.smtp_server import SmtpServer


def mark_won(client: TestClient, petition_id: int, **fields: str):  # type: ignore[no-untyped-def]
    path = f"/admin/petitions/{petition_id}/won"
    data = {
        "csrf_token": csrf_from(client, path),
        "subject": "We won: Anna is free",
        "body": "Anna was **released** today. Thank you.",
        **fields,
    }
    return client.post(path, data=data)


def add_response(  # type: ignore[no-untyped-def]
    client: TestClient, petition_id: int, pdf: bytes | None = None, **fields: str
):
    path = f"/admin/petitions/{petition_id}/responses"
    data = {
        "csrf_token": csrf_from(client, path),
        "subject": "The Ministry of Justice",
        "responded_on": "2027-01-15",
        "body": "The case is **under review**.",
        **fields,
    }
    files = {"document": ("answer.pdf", pdf, "application/pdf")} if pdf is not None else None
    return client.post(path, data=data, files=files)


def a_pdf() -> bytes:
    pdf = document("Answer")
    pdf.add_page()
    pdf.set_font("DejaVu", size=12)
    pdf.cell(text="The case is under review.")
    return bytes(pdf.output())


def test_a_won_petition_shows_a_banner_and_closes(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    response = mark_won(organiser_client, petition.id)  # type: ignore[arg-type]
    assert response.status_code == 303
    page = organiser_client.get(f"/petitions/{petition.slug}").text
    assert "This petition was won" in page
    assert "Anna was <strong>released</strong> today." in page
    assert "Signing is closed" in page
    with Session(engine) as session:
        stored = session.get(Petition, petition.id)
        assert stored is not None and stored.won_at is not None
        assert stored.status == PetitionStatus.closed
        assert session.exec(select(AuditEvent).where(AuditEvent.action == "petition.won")).one()
    again = mark_won(organiser_client, petition.id)  # type: ignore[arg-type]
    assert again.status_code == 409


def test_a_won_petition_cannot_be_opened_for_signing_again(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    mark_won(organiser_client, petition.id)  # type: ignore[arg-type]
    dashboard = f"/admin/petitions/{petition.id}"
    reopened = organiser_client.post(
        f"{dashboard}/status",
        data={"csrf_token": csrf_from(organiser_client, dashboard), "action": "publish"},
    )
    assert reopened.status_code == 409
    with Session(engine) as session:
        assert session.get_one(Petition, petition.id).status == PetitionStatus.closed
    activity = organiser_client.get(dashboard).text
    assert "marked «" in activity and "» as won" in activity  # a sentence, not petition.won
    assert "petition.won" not in activity


def test_winning_is_mailed_once_to_each_signer_in_their_language(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine)
    for email in ("be@example.org", "en@example.org", "quiet@example.org"):
        add_signature(engine, settings, petition, email=email)
    opt_in(engine, "be@example.org", locale="be")
    opt_in(engine, "en@example.org")
    send_mail(engine, settings)
    smtp.handler.reset()
    path = mark_won(organiser_client, petition.id).headers["location"]  # type: ignore[arg-type]
    send_mail(engine, settings)
    assert smtp.messages == []  # nothing before the confirmation
    translate(organiser_client, path, "be", "Мы перамаглі: Ганна на волі", "Ганну **вызвалілі**.")
    assert (
        "Ганну <strong>вызвалілі</strong>."
        in organiser_client.get(f"/petitions/{petition.slug}?lang=be").text
    )
    assert confirm(organiser_client, path).status_code == 303
    second_click = organiser_client.post(
        f"{path}/send", data={"csrf_token": csrf_from(organiser_client, path), "expected": "2"}
    )
    assert second_click.status_code == 303  # and sends nothing more
    send_mail(engine, settings)
    assert sorted((m["To"], m["Subject"]) for m in smtp.messages) == [
        ("be@example.org", "Мы перамаглі: Ганна на волі"),
        ("en@example.org", "We won: Anna is free"),
    ]


def test_an_official_response_shows_with_its_document_and_is_mailed(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = petition_with_a_reader(engine, settings, locale="ru")
    send_mail(engine, settings)
    smtp.handler.reset()
    response = add_response(organiser_client, petition.id, a_pdf())  # type: ignore[arg-type]
    assert response.status_code == 303
    path = response.headers["location"]

    page = organiser_client.get(f"/petitions/{petition.slug}").text
    assert "Official response" in page and "The Ministry of Justice" in page
    assert "The case is <strong>under review</strong>." in page
    with i18n.using("en"):
        assert localized_date(date(2027, 1, 15)) in page
    with Session(engine) as session:
        response_id = session.exec(select(PetitionUpdate.id)).one()
    link = f"/petitions/{petition.slug}/updates/{response_id}/document"
    assert link in page
    download = organiser_client.get(link)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content.startswith(b"%PDF-")
    assert petition.status == PetitionStatus.open  # a response does not close the petition
    assert "Sign this petition" in page

    translate(organiser_client, path, "ru", "Министерство юстиции", "Дело **на рассмотрении**.")
    russian = organiser_client.get(f"/petitions/{petition.slug}?lang=ru").text
    assert "Министерство юстиции" in russian and "<strong>на рассмотрении</strong>" in russian
    confirm(organiser_client, path)
    send_mail(engine, settings)
    [mail] = smtp.messages
    assert mail["To"] == "yes@example.org" and mail["Subject"] == "Министерство юстиции"
    assert f"http://testserver{link}" in mail.get_body(("plain",)).get_content()


def test_a_document_that_is_not_a_pdf_or_too_large_is_refused(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    refused = add_response(organiser_client, petition.id, png)  # type: ignore[arg-type]
    assert refused.status_code == 400 and "Upload a PDF document." in refused.text
    large = a_pdf() + b"%" * (5 * 1024 * 1024)
    too_large = add_response(organiser_client, petition.id, large)  # type: ignore[arg-type]
    assert too_large.status_code == 400 and "The file is larger than 5 MB." in too_large.text
    with Session(engine) as session:
        assert session.exec(select(PetitionUpdate)).all() == []
    assert "Official response" not in organiser_client.get(f"/petitions/{petition.slug}").text


def test_the_addressee_is_translated_on_the_page(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, addressee="The Prosecutor General")
    path = f"/admin/content/petition/{petition.id}/be"
    data = {"csrf_token": csrf_from(organiser_client, path), "addressee": "Генеральны пракурор"}
    assert organiser_client.post(path, data=data).status_code == 303
    belarusian = organiser_client.get(f"/petitions/{petition.slug}?lang=be").text
    assert "Генеральны пракурор" in belarusian and "The Prosecutor General" not in belarusian
    assert (
        "The Prosecutor General" in organiser_client.get(f"/petitions/{petition.slug}?lang=en").text
    )
