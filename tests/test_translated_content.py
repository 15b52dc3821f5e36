"""Petitions, letter campaigns and prisoner notes in the visitor's language, with the original
wherever a version is missing; organisers write and remove the versions."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.content.models import ContentVersion
from campaign.content.service import localized_many, save_version
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.settings import Settings
from tests.conftest import csrf_from
from tests.factories import make_letter_campaign, make_petition, make_prisoner, send_mail
from tests.petitions.test_routes import sign
from tests.smtp_server import SmtpServer


def write_version(client: TestClient, kind: str, object_id: int, locale: str, **fields: str):  # type: ignore[no-untyped-def]
    path = f"/admin/content/{kind}/{object_id}/{locale}"
    return client.post(path, data={"csrf_token": csrf_from(client, path), **fields})


def test_a_petition_shows_the_visitors_language_and_the_original_for_missing_fields(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Anna", body="Anna was arrested in **2021**.")
    response = write_version(
        organiser_client,
        "petition",
        petition.id,
        "be",
        title="Вызваліце Ганну",
        summary="",
        body="",
    )
    assert response.status_code == 303

    belarusian = organiser_client.get(f"/petitions/{petition.slug}?lang=be").text
    assert "Вызваліце Ганну" in belarusian
    assert "<strong>2021</strong>" in belarusian  # the body has no version: the original shows
    german = organiser_client.get(f"/petitions/{petition.slug}?lang=de").text
    assert "Free Anna" in german and "Вызваліце Ганну" not in german
    assert "Вызваліце Ганну" in organiser_client.get("/petitions?lang=be").text
    assert "Вызваліце Ганну" in organiser_client.get("/?lang=be").text


def test_a_new_version_changes_the_page_a_browser_has_cached(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Anna")
    organiser_client.get(f"/petitions/{petition.slug}?lang=pl")  # the browser gets its cookie
    etag = organiser_client.get(f"/petitions/{petition.slug}?lang=pl").headers["etag"]
    unchanged = organiser_client.get(
        f"/petitions/{petition.slug}?lang=pl", headers={"if-none-match": etag}
    )
    assert unchanged.status_code == 304
    write_version(organiser_client, "petition", petition.id, "pl", title="Uwolnić Annę")
    again = organiser_client.get(
        f"/petitions/{petition.slug}?lang=pl", headers={"if-none-match": etag}
    )
    assert again.status_code == 200
    assert "Uwolnić Annę" in again.text


def test_a_letter_campaign_and_prisoner_notes_have_versions_too(
    organiser_client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine, title="Write for Anna", purpose="Ask for her release.")
    prisoner = make_prisoner(
        engine, interests="Chess and gardening.", writer_notes="Short letters."
    )
    write_version(organiser_client, "letters", campaign.id, "ru", title="Напишите за Анну")
    write_version(organiser_client, "prisoner", prisoner.id, "ru", interests="Шахматы и сад.")

    page = organiser_client.get(f"/letters/{campaign.slug}?lang=ru").text
    assert "Напишите за Анну" in page and "Ask for her release." in page
    profile = organiser_client.get(f"/prisoners/{prisoner.slug}?lang=ru").text
    assert "Шахматы и сад." in profile and "Short letters." in profile
    assert (
        "Chess and gardening." in organiser_client.get(f"/prisoners/{prisoner.slug}?lang=en").text
    )


def test_emptying_every_field_removes_the_version_and_the_audit_trail_records_both(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Anna")
    write_version(organiser_client, "petition", petition.id, "uk", title="Звільніть Анну")
    response = write_version(organiser_client, "petition", petition.id, "uk", title=" ")
    assert response.status_code == 303
    assert "Free Anna" in organiser_client.get(f"/petitions/{petition.slug}?lang=uk").text
    with Session(engine) as session:
        assert session.exec(select(ContentVersion)).all() == []
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert actions.count("content.translated") == 1
    assert actions.count("content.translation_removed") == 1


def test_a_version_over_the_limit_is_refused_next_to_its_field_and_nothing_is_stored(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    response = write_version(organiser_client, "petition", petition.id, "lt", title="x" * 201)
    assert response.status_code == 400
    assert 'id="error-title"' in response.text
    with Session(engine) as session:
        assert session.exec(select(ContentVersion)).all() == []


def test_the_editor_refuses_unknown_kinds_languages_and_strangers(
    organiser_client: TestClient, client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    assert organiser_client.get(f"/admin/content/poster/{petition.id}/be").status_code == 404
    assert organiser_client.get(f"/admin/content/petition/{petition.id}/en").status_code == 404
    assert organiser_client.get(f"/admin/content/petition/{petition.id}/xx").status_code == 404
    assert organiser_client.get("/admin/content/petition/99999/be").status_code == 404
    editor = organiser_client.get(f"/admin/content/petition/{petition.id}", follow_redirects=True)
    assert editor.status_code == 200
    assert "Original: " in editor.text
    organiser_client.post("/logout", data={"csrf_token": csrf_from(organiser_client, "/admin")})
    stranger = client.get(f"/admin/content/petition/{petition.id}/be", follow_redirects=False)
    assert stranger.status_code in (302, 303)


def test_many_objects_are_localized_with_their_own_versions(engine: Engine) -> None:
    first, second = make_petition(engine, title="One"), make_petition(engine, title="Two")
    with transaction(engine) as session:
        save_version(
            session, "petition", session.get(type(first), first.id), "de", {"title": "Eins"}
        )
    with Session(engine) as session:
        shown = localized_many(session, "petition", [first, second], "de")
    assert [p.title for p in shown] == ["Eins", "Two"]
    assert [p.lang for p in shown] == ["de", None]
    assert shown[1].original is second


def test_a_version_changed_elsewhere_shows_at_the_next_read_though_the_old_one_was_remembered(
    engine: Engine,
) -> None:
    petition = make_petition(engine, title="Free Anna")

    def title_read_fresh() -> str:  # as a request does: the petition row first, then its text
        with Session(engine) as session:
            fresh = session.get(type(petition), petition.id)
            return str(localized_many(session, "petition", [fresh], "be")[0].title)

    assert title_read_fresh() == "Free Anna"  # remembered: no version in Belarusian
    for title in ("Вызваліце Ганну", "Свабоду Ганне"):
        # Another app process edits the version; nothing here is told about it.
        with transaction(engine) as session:
            save_version(
                session,
                "petition",
                session.get(type(petition), petition.id),
                "be",
                {"title": title},
            )
        assert title_read_fresh() == title
        assert title_read_fresh() == title
    with transaction(engine) as session:
        save_version(
            session, "petition", session.get(type(petition), petition.id), "be", {"title": ""}
        )
    assert title_read_fresh() == "Free Anna"


def test_untranslated_text_is_marked_with_its_own_language_for_screen_readers(
    organiser_client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, title="Free Anna", summary="Release her now.")
    write_version(organiser_client, "petition", petition.id, "be", title="Вызваліце Ганну")
    page = organiser_client.get(f"/petitions/{petition.slug}?lang=be").text
    assert "<h1>Вызваліце Ганну</h1>" in page  # in the page's own language: nothing to mark
    assert '<p class="lead" lang="en">Release her now.</p>' in page
    english = organiser_client.get(f"/petitions/{petition.slug}?lang=en").text
    assert "<h1>Free Anna</h1>" in english


def test_the_confirmation_mail_names_the_petition_in_the_signers_language(
    organiser_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    petition = make_petition(engine, title="Free Anna")
    write_version(organiser_client, "petition", petition.id, "de", title="Freiheit für Anna")
    organiser_client.get(f"/petitions/{petition.slug}?lang=de")  # the language cookie
    assert sign(organiser_client, petition.slug).status_code == 303
    send_mail(engine, settings)
    [mail] = [m for m in smtp.handler.messages if "ana@example.org" in str(m["To"])]
    assert "Freiheit für Anna" in str(mail["Subject"])
    assert "Free Anna" not in mail.get_body(("plain",)).get_content()
