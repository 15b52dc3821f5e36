"""The register of officials: editing, and CSV import/export where nothing is half-imported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from sqlalchemy import delete
from sqlmodel import Session, col, select

from campaign.core import csvimport
from campaign.core.csvcells import cell
from campaign.core.csvimport import CsvImport, ImportReport
from campaign.core.db import utcnow
from campaign.core.fields import row_id
from campaign.core.i18n import _
from campaign.letters.forms import (
    FORM_COLUMNS,
    FORM_FIELDS,
    FORM_LANGUAGES,
    OfficialForm,
    form_column,
    parse_official,
)
from campaign.letters.models import Official, OfficialEmail

COLUMNS = [
    "id",
    "name",
    "title",
    "institution",
    "country",
    "language",
    "emails",
    "postal_address",
    "notes",
    *FORM_COLUMNS,
]
MAX_ROWS = 5000


def list_officials(session: Session) -> list[tuple[Official, list[OfficialEmail]]]:
    """Every official with their addresses, by name."""
    officials = session.exec(select(Official).order_by(col(Official.name))).all()
    emails = session.exec(select(OfficialEmail).order_by(col(OfficialEmail.id))).all()
    by_official: dict[int, list[OfficialEmail]] = {}
    for email in emails:
        by_official.setdefault(email.official_id, []).append(email)
    return [(official, by_official.get(official.id or 0, [])) for official in officials]


def official_emails(session: Session, official: Official) -> list[OfficialEmail]:
    """An official's addresses in the order they were added."""
    query = (
        select(OfficialEmail)
        .where(OfficialEmail.official_id == official.id)
        .order_by(col(OfficialEmail.id))
    )
    return list(session.exec(query).all())


def save_official(
    session: Session, *, form: OfficialForm, official: Official | None = None
) -> Official:
    """Create an official, or change one; their addresses become exactly those in the form."""
    official = official or Official(name=form.name)
    for name in ("name", "title", "institution", "country", "language", "postal_address", "notes"):
        setattr(official, name, getattr(form, name))
    official.forms = merged_forms(official.forms or {}, form.forms)
    official.updated_at = utcnow()
    session.add(official)
    session.flush()
    session.execute(delete(OfficialEmail).where(col(OfficialEmail.official_id) == official.id))
    for address, status in form.emails:
        session.add(OfficialEmail(official_id=official.id, address=address, status=status))  # type: ignore[arg-type]
    session.flush()
    return official


def merged_forms(
    stored: dict[str, dict[str, str]], given: dict[str, dict[str, str]]
) -> dict[str, dict[str, str]]:
    """The stored per-language forms with those given replacing theirs; a new dict (a JSON
    column notices only a new value), without emptied forms."""
    merged = {language: dict(values) for language, values in stored.items()}
    for language, values in given.items():
        merged.setdefault(language, {}).update(values)
    return {
        language: {k: v for k, v in values.items() if v}
        for language, values in merged.items()
        if any(values.values())
    }


def form_values(official: Official) -> dict[str, str]:
    """An official's per-language forms as form fields or CSV cells (name_ru, salutation_ru…)."""
    forms = official.forms or {}
    return {
        form_column(name, language): forms.get(language, {}).get(name, "")
        for language in FORM_LANGUAGES
        for name in FORM_FIELDS
    }


def import_officials(
    session: Session, rows: Iterable[Mapping[str, str]], *, apply: bool
) -> ImportReport:
    """Check every row first; only when all are good (and apply is set) change anything.

    A row with an id updates that official; a row without one adds a new official.
    """
    report = ImportReport()
    checked: list[tuple[Official | None, OfficialForm]] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        if line - 1 > MAX_ROWS:
            report.errors.append((line, "", _("At most %(count)s rows per file.", count=MAX_ROWS)))
            break
        form, errors = parse_official(row)
        target = None
        raw_id = (row.get("id") or "").strip()
        if raw_id:
            official_id = row_id(raw_id)
            target = session.get(Official, official_id) if official_id is not None else None
            if target is None:
                errors.add("id", _("No official with id %(id)s.", id=raw_id[:20]))
        for column, message in errors.items():
            report.errors.append((line, column, message))
        if form is not None and not errors:
            checked.append((target, form))
    if report.errors:
        return report
    for target, form in checked:
        if target is None:
            report.created += 1
        else:
            report.updated += 1
        if apply:
            save_official(session, form=form, official=target)
    return report


def read_csv(data: bytes) -> tuple[list[dict[str, str]], str | None]:
    """Rows of an uploaded officials CSV, or why it cannot be read."""
    return csvimport.read_csv(data, required={"name"}, columns=COLUMNS)


def export_csv(session: Session) -> bytes:
    """The whole register as CSV, in the same columns the import reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for official, emails in list_officials(session):
        addresses = "; ".join(
            f"{e.address} {e.status}" if e.status != "active" else e.address for e in emails
        )
        writer.writerow(
            [
                cell(v)
                for v in (
                    official.id,
                    official.name,
                    official.title,
                    official.institution,
                    official.country,
                    official.language,
                    addresses,
                    official.postal_address,
                    official.notes,
                    *form_values(official).values(),
                )
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode()


CSV_IMPORT = CsvImport(
    read_csv, lambda session, rows, apply: import_officials(session, rows, apply=apply)
)
