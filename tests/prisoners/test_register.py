"""The prisoner register: imported whole or not at all, upserted on the source's id, with
facility history kept when someone is transferred."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaign.prisoners import exports, forms
from campaign.prisoners.models import Facility, Placement, Prisoner
from campaign.prisoners.service import facilities, register

TODAY = date(2026, 11, 24)
HEADER = ",".join(register.COLUMNS) + "\n"
ANNA = (
    "v-101,Anna Kavalchuk,Анна Ковальчук,female,1984-02-29,Hrodna,Art. 369,4 years,"
    "2023-03-01,2027-03-01,sentenced,yes,Penal colony No. 4,"
    '"Ковальчук Анне Ивановне\nул. Антоновская, 1\n246035 Гомель",Gardening; crosswords,,'
    "Viasna,2026-11-01\n"
)
IVAN = "v-102,Ivan Petrau,Іван Пятроў,male,,Minsk,,,2024-05-05,,detained,no,,,,,Viasna,\n"


def rows(text: str) -> list[dict[str, str]]:
    found, problem = register.read_csv((HEADER + text).encode())
    assert problem is None
    return found


def add_facilities(session: Session) -> None:
    for name in ("Penal colony No. 4", "Remand prison No. 1"):
        form, errors = forms.parse_facility({"name": name, "address": "Гомель", "country": "BY"})
        assert form is not None, errors
        facilities.save_facility(session, form=form)
    session.commit()


def test_a_dry_run_reports_what_would_change_and_stores_nothing(session: Session) -> None:
    add_facilities(session)
    report = register.import_prisoners(session, rows(ANNA + IVAN), apply=False, today=TODAY)
    assert report.ok and (report.created, report.updated) == (2, 0)
    assert [(line, who) for line, who, _ in report.changes] == [(2, "v-101"), (3, "v-102")]
    assert session.exec(select(Prisoner)).all() == []


def test_an_import_adds_then_updates_on_the_external_id(session: Session) -> None:
    add_facilities(session)
    assert register.import_prisoners(session, rows(ANNA + IVAN), apply=True, today=TODAY).ok
    session.commit()
    anna = session.exec(select(Prisoner).where(Prisoner.external_id == "v-101")).one()
    assert anna.name_cyrillic == "Анна Ковальчук" and anna.birth_date == date(1984, 2, 29)
    assert anna.letter_address.splitlines()[0] == "Ковальчук Анне Ивановне"
    assert anna.slug == "anna-kavalchuk" and anna.accepts_letters
    # The list of 20 November has her in the remand prison: the transfer takes the list's date.
    moved = ANNA.replace("Penal colony No. 4", "Remand prison No. 1").replace(
        "2026-11-01", "2026-11-20"
    )
    report = register.import_prisoners(session, rows(moved + IVAN), apply=True, today=TODAY)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert report.changes == [(2, "v-101", "source_date, facility")]
    session.commit()
    history = session.exec(
        select(Facility.name, Placement.until)
        .join(Facility, col(Facility.id) == col(Placement.facility_id))
        .where(Placement.prisoner_id == anna.id)
        .order_by(col(Placement.id))
    ).all()
    assert history == [("Penal colony No. 4", date(2026, 11, 20)), ("Remand prison No. 1", None)]


def test_bad_rows_are_reported_by_line_and_column_and_nothing_is_stored(session: Session) -> None:
    add_facilities(session)
    bad = (
        ANNA
        + ANNA  # the same external id twice
        + IVAN.replace("2024-05-05,,", "2024-05-05,2020-01-01,")  # released before arrest
        + "v-103,Olga Future,,female,2099-01-01,,,,,,sentenced,yes,,,,,,\n"
        + "v-104,Nobody Known,,,,,,,,,jailed,maybe,Colony No. 99,,,,,\n"
    )
    report = register.import_prisoners(session, rows(bad), apply=True, today=TODAY)
    assert not report.ok
    assert {(line, column) for line, column, _ in report.errors} == {
        (3, "external_id"),
        (4, "release_expected_on"),
        (5, "birth_date"),
        (6, "status"),
        (6, "accepts_letters"),
        (6, "facility"),
    }
    assert session.exec(select(Prisoner)).all() == []


def test_the_export_reads_back_in_unchanged(engine: Engine, session: Session) -> None:
    add_facilities(session)
    register.import_prisoners(session, rows(ANNA + IVAN), apply=True, today=TODAY)
    session.commit()
    exported = exports.export_csv(session)
    again, problem = register.read_csv(exported)
    assert problem is None
    report = register.import_prisoners(session, again, apply=False, today=TODAY)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_a_file_that_is_not_utf8_or_lacks_the_columns_is_refused_in_one_line() -> None:
    assert register.read_csv("external_id,name_latin\nv-1,Łukasz".encode("cp1250"))[1]
    assert register.read_csv(b"name,city\nA,B\n")[1]
