"""Printable postcards: an A6 card with a picture on the front and the address and a short code
on the back, which a volunteer types or opens as a link to log the card, once."""

from __future__ import annotations

import io
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from campaign.core.audit import AuditEvent
from campaign.core.crypto import use_keys
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.prisoners.models import Prisoner, PrisonerConsent, SolidarityLetter, Volunteer
from campaign.prisoners.postcards import service
from campaign.prisoners.postcards.models import Postcard, PostcardPicture
from campaign.prisoners.service import sign_in as volunteer_sign_in
from tests.conftest import csrf_from, make_settings
from tests.factories import link_in, make_prisoner, send_mail
from tests.prisoners.test_letter_limits import make_volunteer
from tests.smtp_server import SmtpServer

A6_LANDSCAPE = (419.53, 297.64)  # 148 × 105 mm in points
PRINTS_PER_HOUR = 4


@pytest.fixture
def settings(db_url: str, tmp_path, smtp: SmtpServer) -> Settings:  # type: ignore[no-untyped-def]
    """The tests' settings, with a per-client PDF limit small enough to reach."""
    configured = make_settings(
        db_url, tmp_path, smtp.port, pdf_limit_per_client=f"{PRINTS_PER_HOUR}/hour"
    )
    use_keys(configured.data_keys)
    return configured


def print_card(client: TestClient, prisoner: Prisoner, picture: str = "flowers"):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/volunteer/signin")  # the page of a hidden person has no form
    return client.post(
        f"/prisoners/{prisoner.slug}/postcard", data={"csrf_token": token, "picture": picture}
    )


def only_code(engine: Engine) -> str:
    with Session(engine) as session:
        return session.exec(select(Postcard.code)).one()


def signed_in(client: TestClient, engine: Engine, settings: Settings, email: str) -> Volunteer:
    """The client carries the cookie of a volunteer who signed in by link earlier."""
    volunteer = make_volunteer(engine, settings, email)
    client.cookies.set("campaign_volunteer", volunteer_sign_in.session_token(settings, volunteer))
    return volunteer


def log(client: TestClient, typed: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/postcards", data={"csrf_token": csrf_from(client, "/postcards"), "code": typed}
    )


def letters(engine: Engine) -> list[SolidarityLetter]:
    with Session(engine) as session:
        return list(session.exec(select(SolidarityLetter)).all())


def test_a_postcard_is_an_a6_picture_then_the_address_and_a_code_and_nothing_of_the_site(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine)
    page = client.get(f"/prisoners/{prisoner.slug}/postcard")
    assert page.status_code == 200 and "/static/postcards/birds.png" in page.text
    response = print_card(client, prisoner, "birds")
    assert response.headers["content-type"] == "application/pdf"
    front, back = PdfReader(io.BytesIO(response.content)).pages
    for side in (front, back):
        assert (float(side.mediabox.width), float(side.mediabox.height)) == pytest.approx(
            A6_LANDSCAPE, abs=0.1
        )
    assert len(front.images) == 1 and not front.extract_text().strip()
    text = back.extract_text()
    code = only_code(engine)
    assert f"{code[:4]}-{code[4:]}" in text
    for line in prisoner.letter_address.splitlines():
        assert line in text
    assert "REPUBLIC OF BELARUS" in text
    for telltale in ("testserver", "http", "campaign", "postcard"):
        assert telltale not in text.lower()
    with Session(engine) as session:
        card = session.exec(select(Postcard)).one()
        assert (card.prisoner_id, card.facility_id) == (prisoner.id, prisoner.facility_id)
        assert card.picture == "birds" and card.logged_at is None


def test_a_postcard_code_logs_one_letter_and_a_second_use_logs_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    prisoner = make_prisoner(engine)
    print_card(client, prisoner)
    code = only_code(engine)
    volunteer = signed_in(client, engine, settings, "vera@example.org")
    first = log(client, code)
    assert first.status_code == 303 and first.headers["location"] == "/volunteer"
    mine = client.get("/volunteer")
    assert "Your postcard is logged. Thank you!" in mine.text and prisoner.name_latin in mine.text
    (letter,) = letters(engine)
    assert letter.volunteer_id == volunteer.id and letter.channel == "post"
    assert letter.sent_on == utcnow().date() and letter.facility_id == prisoner.facility_id
    with Session(engine) as session:
        card = session.exec(select(Postcard)).one()
        assert card.letter_id == letter.id and card.logged_at is not None

    again = log(client, code)
    assert again.status_code == 409 and "This card is already logged." in again.text
    signed_in(client, engine, settings, "ilya@example.org")
    by_another = log(client, code)
    assert by_another.status_code == 409 and len(letters(engine)) == 1


def test_a_code_is_read_in_any_case_with_spaces_a_dash_or_as_the_whole_link(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    assert service.normalise(" k7pm - 3qx2 ") == "K7PM3QX2"
    assert service.normalise("https://example.org/postcards/K7PM-3QX2/") == "K7PM3QX2"
    assert service.normalise("oil1-abcd") == "0111ABCD"  # O is 0, I and L are 1 on paper
    assert service.normalise("K7PM-3QX") is None and service.normalise("K7PM-3QXU") is None
    prisoner = make_prisoner(engine)
    print_card(client, prisoner)
    code = only_code(engine)
    signed_in(client, engine, settings, "vera@example.org")
    typed = f" {code[:4].lower()} -{code[4:6]} {code[6:].lower()}"
    assert log(client, typed).status_code == 303 and len(letters(engine)) == 1


def test_a_wrong_code_gets_an_error_by_the_field_and_wrong_tries_are_limited(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    prisoner = make_prisoner(engine)
    print_card(client, prisoner)
    signed_in(client, engine, settings, "vera@example.org")
    wrong = log(client, "ZZZZ-ZZZZ" if only_code(engine) != "ZZZZZZZZ" else "YYYY-YYYY")
    assert wrong.status_code == 404 and "No card has this code" in wrong.text
    assert 'aria-invalid="true"' in wrong.text and prisoner.name_latin not in wrong.text
    assert log(client, "K7PM-3QX").status_code == 400  # too short to be a code
    for _ in range(8):
        log(client, "0000-0000")
    refused = log(client, only_code(engine))  # the right code too, once over the limit
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert letters(engine) == []


def test_a_cards_link_keeps_its_code_through_signing_in_and_logs_with_one_button(
    client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    prisoner = make_prisoner(engine)
    print_card(client, prisoner)
    code = only_code(engine)
    away = client.get(f"/postcards/{code[:4].lower()}-{code[4:]}")
    assert away.status_code == 303
    assert away.headers["location"] == f"/volunteer/signin?next=/postcards/{code}"
    form = client.get(away.headers["location"])
    assert prisoner.name_latin not in form.text  # nothing is told before signing in
    token = csrf_from(client, away.headers["location"])
    client.post(
        "/volunteer/signin",
        data={"csrf_token": token, "email": "vera@example.org", "next": f"/postcards/{code}"},
    )
    send_mail(engine, settings)
    (mail,) = smtp.handler.to("vera@example.org")
    path = link_in(mail.get_body(("plain",)).get_content(), "/volunteer/signin")  # type: ignore[union-attr]
    link_token = parse_qs(urlsplit(path).query)["token"][0]
    done = client.post(
        "/volunteer/signin",
        data={
            "csrf_token": csrf_from(client, path),
            "token": link_token,
            "next": f"/postcards/{code}",
        },
    )
    assert done.status_code == 303 and done.headers["location"] == f"/postcards/{code}"
    card = client.get(done.headers["location"])
    assert card.status_code == 200 and prisoner.name_latin in card.text
    assert "Log it as sent today" in card.text
    assert log(client, code).status_code == 303 and len(letters(engine)) == 1
    assert "This card is already logged." in client.get(f"/postcards/{code}").text


def test_no_postcard_for_a_hidden_person_or_one_letters_do_not_reach(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    hidden = make_prisoner(engine, consent=False)
    closed = make_prisoner(engine, accepts_letters=False)
    for prisoner in (hidden, closed):
        assert client.get(f"/prisoners/{prisoner.slug}/postcard").status_code == 404
        assert print_card(client, prisoner).status_code == 404
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Postcard)).one() == 0


def test_a_card_of_a_person_hidden_after_printing_is_like_an_unknown_code(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    prisoner = make_prisoner(engine)
    print_card(client, prisoner)
    code = only_code(engine)
    with transaction(engine) as session:
        session.add(
            PrisonerConsent(
                prisoner_id=prisoner.id,
                state="withdrawn",
                given_by="family",
                given_on=utcnow().date(),
            )
        )
    signed_in(client, engine, settings, "vera@example.org")
    page = client.get(f"/postcards/{code}")
    assert page.status_code == 404 and prisoner.name_latin not in page.text
    assert log(client, code).status_code == 404 and letters(engine) == []


def test_printing_cards_is_limited_per_client(client: TestClient, engine: Engine) -> None:
    prisoner = make_prisoner(engine)
    for _ in range(PRINTS_PER_HOUR):
        assert print_card(client, prisoner).status_code == 200
    refused = print_card(client, prisoner)
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    with Session(engine) as session:
        codes = session.exec(select(Postcard.code)).all()
    assert len(codes) == len(set(codes)) == PRINTS_PER_HOUR


def test_two_volunteers_logging_one_card_at_once_make_one_letter(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    prisoner = make_prisoner(engine)
    print_card(client, prisoner)
    first = make_volunteer(engine, settings, "first@example.org")
    second = make_volunteer(engine, settings, "second@example.org")
    outcomes: list[service.CardOutcome] = []

    def log_as(volunteer: Volunteer, started: threading.Event | None = None) -> None:
        with transaction(engine) as session:
            card = service.card_by_code(session, only_code(engine))
            assert card is not None
            outcomes.append(
                service.log_postcard(
                    session, settings=settings, volunteer=session.merge(volunteer), card=card
                )
            )
            if started is not None:  # hold the claim open while the other one tries
                started.set()
                threading.Event().wait(0.5)

    claimed = threading.Event()
    holder = threading.Thread(target=log_as, args=(first, claimed))
    holder.start()
    claimed.wait(10)
    log_as(second)
    holder.join(10)
    assert sorted(outcomes) == [service.CardOutcome.already_logged, service.CardOutcome.logged]
    assert len(letters(engine)) == 1


def test_an_organisers_picture_loses_its_location_and_a_non_image_is_refused(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (53.0, 54.0, 0.0), 1: "N"}  # GPS: where it was taken
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (400, 300), (120, 170, 200)).save(photo, format="JPEG", exif=exif)
    assert Image.open(io.BytesIO(photo.getvalue())).getexif()
    path = "/admin/postcards"
    added = organiser_client.post(
        path,
        data={"csrf_token": csrf_from(organiser_client, path)},
        files={"picture": ("lake.jpg", photo.getvalue(), "image/jpeg")},
    )
    assert added.status_code == 303
    with Session(engine) as session:
        picture = session.exec(select(PostcardPicture)).one()
    stored = settings.upload_dir / picture.file
    with Image.open(stored) as opened:
        assert not opened.getexif() and "exif" not in opened.info
    prisoner = make_prisoner(engine)
    assert (
        f"/media/{picture.file}"
        in organiser_client.get(f"/prisoners/{prisoner.slug}/postcard").text
    )
    assert print_card(organiser_client, prisoner, picture.file).status_code == 200

    refused = organiser_client.post(
        path,
        data={"csrf_token": csrf_from(organiser_client, path)},
        files={"picture": ("lake.jpg", b"<?php echo 'hi'; ?>", "image/jpeg")},
    )
    assert refused.status_code == 400 and "Upload a JPEG, PNG or WebP image." in refused.text

    removed = organiser_client.post(
        f"{path}/remove",
        data={"csrf_token": csrf_from(organiser_client, path), "picture": str(picture.id)},
    )
    assert removed.status_code == 303 and not stored.exists()
    assert print_card(organiser_client, prisoner, picture.file).status_code == 400
    with Session(engine) as session:
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.action.startswith("postcard."))  # type: ignore[attr-defined]
        ).all()
    assert sorted(actions) == ["postcard.picture_added", "postcard.picture_removed"]
