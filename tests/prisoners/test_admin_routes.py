"""Organisers keep the register in /admin: records with photos, facilities, CSV in and out."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.prisoners.models import Facility, Prisoner, SolidarityLetter
from tests.conftest import csrf_from
from tests.factories import log_letters, make_prisoner
from tests.prisoners.test_register import ANNA, HEADER, IVAN
from tests.test_cli import campaign


def add_facility(client: TestClient, name: str = "Penal colony No. 4") -> None:
    path = "/admin/facilities/new"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_from(client, path),
            "name": name,
            "address": "ул. Антоновская, 1\n246035 Гомель",
            "country": "BY",
        },
    )
    assert response.status_code == 303


def test_an_organiser_adds_a_person_with_a_photo_stripped_of_metadata(
    organiser_client: TestClient, engine: Engine
) -> None:
    add_facility(organiser_client)
    photo = io.BytesIO()
    Image.new("RGB", (64, 64), "grey").save(photo, format="PNG")
    path = "/admin/prisoners/new"
    response = organiser_client.post(
        path,
        data={
            "csrf_token": csrf_from(organiser_client, path),
            "external_id": "v-1",
            "name_latin": "Anna Kavalchuk",
            "name_cyrillic": "Анна Ковальчук",
            "status": "sentenced",
            "accepts_letters": "1",
            "facility": "Penal colony No. 4",
            "birth_date": "1984-02-29",
            "letter_address": "Ковальчук Анне Ивановне\nул. Антоновская, 1",
        },
        files={"photo": ("anna.png", photo.getvalue(), "image/png")},
    )
    assert response.status_code == 303
    with Session(engine) as session:
        anna = session.exec(select(Prisoner)).one()
        assert anna.photo and anna.photo.endswith(".jpg") and anna.accepts_letters
        assert anna.facility_id == session.exec(select(Facility.id)).one()
    listing = organiser_client.get("/admin/prisoners")
    assert "Anna Kavalchuk" in listing.text and "Penal colony No. 4" in listing.text


def test_impossible_dates_get_an_error_next_to_the_field(organiser_client: TestClient) -> None:
    path = "/admin/prisoners/new"
    response = organiser_client.post(
        path,
        data={
            "csrf_token": csrf_from(organiser_client, path),
            "external_id": "v-2",
            "name_latin": "Ivan Petrau",
            "arrested_on": "2024-05-05",
            "release_expected_on": "2023-01-01",
            "birth_date": "2999-01-01",
        },
    )
    assert response.status_code == 400
    assert 'id="error-release_expected_on"' in response.text
    assert 'id="error-birth_date"' in response.text


def test_an_upload_is_checked_first_then_imported_and_the_export_is_audited(
    organiser_client: TestClient, engine: Engine
) -> None:
    add_facility(organiser_client)
    data = (HEADER + ANNA + IVAN).encode()
    path = "/admin/prisoners/import"
    token = csrf_from(organiser_client, path)
    checked = organiser_client.post(
        path,
        data={"csrf_token": token, "action": "check"},
        files={"file": ("list.csv", data, "text/csv")},
    )
    assert checked.status_code == 200 and "2 new, 0 changed, 0 unchanged" in checked.text
    with Session(engine) as session:
        assert session.exec(select(Prisoner)).all() == []
    imported = organiser_client.post(
        path,
        data={"csrf_token": token, "action": "import"},
        files={"file": ("list.csv", data, "text/csv")},
    )
    assert imported.status_code == 303
    exported = organiser_client.get("/admin/prisoners/export.csv")
    assert "Ковальчук Анне Ивановне" in exported.text
    with Session(engine) as session:
        assert len(session.exec(select(Prisoner)).all()) == 2
        actions = session.exec(select(AuditEvent.action)).all()
    assert {"prisoners.imported", "prisoners.exported"} <= set(actions)


def test_the_cli_imports_prisoners_and_reports_bad_rows_by_line(
    db_url: str, engine: Engine, tmp_path: Path, organiser_client: TestClient
) -> None:
    add_facility(organiser_client)
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEADER + ANNA + IVAN, encoding="utf-8")
    bad.write_text(HEADER + ANNA + ANNA, encoding="utf-8")
    failed = campaign("import-prisoners", str(bad), env={"DATABASE_URL": db_url})
    assert failed.returncode == 1 and f"{bad}:3: external_id:" in failed.stderr
    assert "Traceback" not in failed.stderr
    dry = campaign("import-prisoners", str(good), "--dry-run", env={"DATABASE_URL": db_url})
    assert dry.returncode == 0 and "would add 2" in dry.stdout
    done = campaign("import-prisoners", str(good), env={"DATABASE_URL": db_url})
    assert done.returncode == 0 and "added 2" in done.stdout
    with Session(engine) as session:
        assert len(session.exec(select(Prisoner)).all()) == 2


def test_strangers_cannot_see_the_register(client: TestClient) -> None:
    for path in ("/admin/prisoners", "/admin/prisoners/export.csv", "/admin/facilities"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code in {303, 401, 403}


def test_the_overview_shows_silences_facility_answers_and_what_is_ahead(
    organiser_client: TestClient, engine: Engine
) -> None:
    today = date.today()
    quiet = make_prisoner(
        engine, name_latin="Quiet Person", birth_date=today - timedelta(days=365 * 30 - 5)
    )
    busy = make_prisoner(
        engine, name_latin="Busy Person", release_expected_on=today + timedelta(days=20)
    )
    log_letters(engine, quiet, today - timedelta(days=75))
    log_letters(engine, busy, today - timedelta(days=2), today - timedelta(days=3))
    with Session(engine) as session:
        answered = session.exec(
            select(SolidarityLetter).where(SolidarityLetter.prisoner_id == busy.id)
        ).first()
        assert answered is not None
        answered.state = "answered"
        session.add(answered)
        session.commit()
    page = organiser_client.get("/admin/prisoners/dashboard")
    assert page.status_code == 200
    text = page.text
    sixty = text.index("60 days or more")
    assert sixty < text.index("Quiet Person") < text.index("30 days or more")
    assert "<td>Colony No. 4</td><td>3</td><td>0</td><td>1</td><td>33</td>" in text
    assert "Busy Person" in text.split("Releases expected")[1]
    exported = organiser_client.get("/admin/prisoners/letters.csv")
    assert exported.status_code == 200 and "Busy Person,2,0,1," in exported.text
