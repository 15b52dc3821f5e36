"""The register's CSV carries consent: an import records it (an empty column keeps what is
recorded, the same file again adds no history), and the export writes it back."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from campaign.prisoners import exports
from campaign.prisoners.models import Prisoner
from campaign.prisoners.service import consent, register
from tests.prisoners.test_register import ANNA, IVAN, add_facilities
from tests.prisoners.test_register import rows as register_rows

TODAY = date(2026, 11, 24)
COLUMNS = ",consent,consent_from,consent_date,consent_how"
NAMES = ("consent", "consent_from", "consent_date", "consent_how")


def rows(*lines: tuple[str, str]) -> list[dict[str, str]]:
    """The register rows, each with its consent columns ("given,family,2026-10-01,letter")."""
    found = []
    for line, columns in lines:
        (row,) = register_rows(line)
        found.append(row | dict(zip(NAMES, columns.split(","), strict=True)))
    return found


def _states(session: Session) -> dict[str, list[str]]:
    people = session.exec(select(Prisoner).order_by(Prisoner.external_id)).all()
    return {
        p.external_id: [row.state for row in consent.history(session, p.id)]  # type: ignore[arg-type]
        for p in people
    }


def test_an_import_records_consent_and_an_empty_column_keeps_what_is_recorded(
    session: Session,
) -> None:
    add_facilities(session)
    text = rows((ANNA, "given,family,2026-10-01,letter"), (IVAN, ",,,"))
    report = register.import_prisoners(session, text, apply=True, today=TODAY)
    assert report.ok, report.errors
    session.commit()
    assert _states(session) == {"v-101": ["given"], "v-102": []}
    anna = session.exec(select(Prisoner).where(Prisoner.external_id == "v-101")).one()
    assert consent.is_public(session, anna.id)
    recorded = consent.latest(session, anna.id)  # type: ignore[arg-type]
    assert recorded is not None and (recorded.given_by, recorded.how) == ("family", "letter")

    again = register.import_prisoners(session, text, apply=True, today=TODAY)
    assert (again.updated, again.unchanged) == (0, 2)  # the same file adds no history
    withdrawn = rows((ANNA, "withdrawn,lawyer,2026-11-20,lawyer"), (IVAN, ",,,"))
    report = register.import_prisoners(session, withdrawn, apply=True, today=TODAY)
    assert report.changes == [(2, "v-101", "consent")]
    session.commit()
    assert _states(session) == {"v-101": ["withdrawn", "given"], "v-102": []}
    assert not consent.is_public(session, anna.id)


def test_a_bad_consent_column_is_reported_by_its_name_and_nothing_is_stored(
    session: Session,
) -> None:
    add_facilities(session)
    text = rows((ANNA, "maybe,family,2026-10-01,letter"), (IVAN, "given,cousin,2099-01-01,"))
    report = register.import_prisoners(session, text, apply=True, today=TODAY)
    columns = {(line, column) for line, column, _message in report.errors}
    assert columns == {(2, "consent"), (3, "consent_from"), (3, "consent_date")}
    assert session.exec(select(Prisoner)).all() == []


def test_the_export_carries_consent_and_reads_back_in_unchanged(session: Session) -> None:
    add_facilities(session)
    text = rows((ANNA, "given,person,2026-10-01,in_person"), (IVAN, ",,,"))
    register.import_prisoners(session, text, apply=True, today=TODAY)
    session.commit()
    exported = exports.export_csv(session)
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(COLUMNS)
    assert any(line.endswith(",given,person,2026-10-01,in_person") for line in lines)
    again, problem = register.read_csv(exported)
    assert problem is None
    report = register.import_prisoners(session, again, apply=False, today=TODAY)
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 2)
