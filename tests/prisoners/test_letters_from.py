"""Some prisoners receive letters only from senders they listed: the register says so, the
person's page and the letter helper tell volunteers what to do instead, and "pick someone for
me" prefers people who take letters from anyone."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.prisoners import exports
from campaign.prisoners.models import Prisoner
from campaign.prisoners.service import prisoners, register
from tests.conftest import csrf_from
from tests.factories import log_letters, make_prisoner
from tests.prisoners.test_register import ANNA, IVAN, add_facilities, rows

TODAY = date(2026, 11, 24)
NOTICE = "Only letters from senders on their list reach"


def test_listed_only_is_said_plainly_on_the_page_and_in_the_helper(
    client: TestClient, engine: Engine
) -> None:
    listed = make_prisoner(engine, letters_from="listed")
    page = client.get(f"/prisoners/{listed.slug}")
    assert NOTICE in page.text and "listed senders only" in page.text
    assert "send your words to them" in page.text
    helper = client.get(f"/prisoners/{listed.slug}/write")
    assert NOTICE in helper.text and 'href="/prisoners/pick"' in helper.text
    anyone = make_prisoner(engine, letters_from="anyone")
    assert NOTICE not in client.get(f"/prisoners/{anyone.slug}").text
    assert NOTICE not in client.get(f"/prisoners/{anyone.slug}/write").text
    listing = client.get("/prisoners")
    assert "only letters from listed senders reach this person" in listing.text


def test_pick_someone_for_me_prefers_people_who_accept_any_sender(engine: Engine) -> None:
    # The listed-only person has had no mail at all, and still comes last.
    make_prisoner(engine, name_latin="Listed Only", letters_from="listed")
    unknown = make_prisoner(engine, name_latin="Not Known", letters_from="unknown")
    anyone = make_prisoner(engine, name_latin="Anyone", letters_from="anyone")
    log_letters(engine, anyone, TODAY, TODAY)
    log_letters(engine, unknown, TODAY)
    with Session(engine) as session:
        for _ in range(5):
            picked = prisoners.pick_for_me(session, today=TODAY)
            assert picked is not None and picked.name_latin == "Anyone"
    with Session(engine) as session:
        session.delete(session.get(Prisoner, anyone.id))
        session.commit()
        picked = prisoners.pick_for_me(session, today=TODAY)
        assert picked is not None and picked.name_latin == "Not Known"


def test_listed_only_people_are_still_picked_when_no_one_else_is_held(engine: Engine) -> None:
    make_prisoner(engine, name_latin="Listed Only", letters_from="listed")
    with Session(engine) as session:
        picked = prisoners.pick_for_me(session, today=TODAY)
    assert picked is not None and picked.name_latin == "Listed Only"


def test_the_column_is_imported_and_exported(session: Session) -> None:
    add_facilities(session)
    # The rows give the first 18 columns; the names per language are left empty.
    anna = ANNA.rstrip("\n") + "," * (len(register.COLUMNS) - 18) + "listed\n"
    ivan = IVAN.rstrip("\n") + "," * (len(register.COLUMNS) - 18) + "anyone\n"
    report = register.import_prisoners(session, rows(anna + ivan), apply=True, today=TODAY)
    assert report.ok, report.errors
    session.commit()
    stored = {p.external_id: p.letters_from for p in session.exec(select(Prisoner)).all()}
    assert stored == {"v-101": "listed", "v-102": "anyone"}
    exported = list(csv.DictReader(io.StringIO(exports.export_csv(session).decode("utf-8-sig"))))
    assert {row["external_id"]: row["letters_from"] for row in exported} == stored
    # A file without the column leaves the value alone; a wrong value is refused by line.
    short = "external_id,name_latin\nv-101,Anna Kavalchuk\n"
    found, problem = register.read_csv(short.encode())
    assert problem is None
    assert register.import_prisoners(session, found, apply=True, today=TODAY).ok
    session.commit()
    assert (
        session.exec(select(Prisoner.letters_from).where(Prisoner.external_id == "v-101")).one()
        == "listed"
    )
    wrong = register.import_prisoners(
        session, rows(anna.replace(",listed\n", ",relatives\n")), apply=True, today=TODAY
    )
    assert [(line, column) for line, column, _ in wrong.errors] == [(2, "letters_from")]


def test_an_organiser_sets_it_in_the_form(organiser_client: TestClient, engine: Engine) -> None:
    prisoner = make_prisoner(engine)
    path = f"/admin/prisoners/{prisoner.id}/edit"
    form = organiser_client.get(path)
    assert 'name="letters_from"' in form.text
    with Session(engine) as session:
        values = register.form_values(session.get(Prisoner, prisoner.id), {})  # type: ignore[arg-type]
    values = {k: v for k, v in values.items() if k != "facility"}
    response = organiser_client.post(
        path,
        data={
            **values,
            "csrf_token": csrf_from(organiser_client, path),
            "accepts_letters": "1",
            "letters_from": "listed",
        },
    )
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.get(Prisoner, prisoner.id).letters_from == "listed"  # type: ignore[union-attr]
    assert "listed senders only" in organiser_client.get("/admin/prisoners").text
