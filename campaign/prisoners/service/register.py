"""The prisoner register: records saved one by one, or a CSV imported whole or not at all
(rows are checked by forms.parse_prisoner; the export is in exports.py).

An import upserts on the external id (the id in the source list, e.g. Viasna's), so the same
file can be imported every week: new people are added, changed ones updated, the rest untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from campaign.core import csvimport
from campaign.core.csvimport import CsvImport, ImportReport
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.core.slugs import slugify
from campaign.prisoners.consent_forms import CSV_COLUMNS as CONSENT_COLUMNS
from campaign.prisoners.consent_forms import from_csv_row, parse_consent
from campaign.prisoners.forms import (
    NAME_LANGUAGES,
    PrisonerForm,
    name_column,
    one_line,
    parse_prisoner,
)
from campaign.prisoners.models import Prisoner, PrisonerConsent
from campaign.prisoners.service import consent, transfers
from campaign.prisoners.service.consent import ConsentForm
from campaign.prisoners.service.facilities import facility_ids

COLUMNS = [
    "external_id",
    "name_latin",
    "name_cyrillic",
    "gender",
    "birth_date",
    "region",
    "articles",
    "sentence",
    "arrested_on",
    "release_expected_on",
    "status",
    "accepts_letters",
    "facility",
    "letter_address",
    "interests",
    "writer_notes",
    "source",
    "source_date",
    *(name_column(language) for language in NAME_LANGUAGES),
    "letters_from",  # last, so that files made before it still line up
]
MAX_ROWS = 20_000


def list_prisoners(session: Session) -> list[Prisoner]:
    """Everyone in the register, by name."""
    return list(session.exec(select(Prisoner).order_by(col(Prisoner.name_latin))).all())


def external_id_taken(session: Session, external_id: str, *, except_id: int | None) -> bool:
    """Whether another record already has this external id."""
    query = select(Prisoner.id).where(Prisoner.external_id == external_id)
    if except_id is not None:
        query = query.where(Prisoner.id != except_id)
    return session.exec(query).first() is not None


def form_values(prisoner: Prisoner, names: Mapping[int, str]) -> dict[str, str]:
    """A stored record as the form (and the CSV) shows it; names: facility ids to names."""
    values: dict[str, str] = {}
    for name in COLUMNS:
        if name.startswith("name_") and name[5:] in NAME_LANGUAGES:
            values[name] = (prisoner.names or {}).get(name[5:], "")
        elif name == "facility":
            values[name] = names.get(prisoner.facility_id or 0, "")
        elif name == "accepts_letters":
            values[name] = "yes" if prisoner.accepts_letters else "no"
        else:
            value = getattr(prisoner, name)
            values[name] = value.isoformat() if isinstance(value, date) else str(value or "")
    return values


def set_photo(session: Session, *, prisoner: Prisoner, name: str | None, directory: Path) -> None:
    """Show a new stored photo (None: no photo); the old file is deleted."""
    old = prisoner.photo
    prisoner.photo = name
    session.add(prisoner)
    session.flush()
    if old and old != name:
        (directory / old).unlink(missing_ok=True)


def _unique_slug(session: Session, name: str, external_id: str) -> str:
    def taken(slug: str) -> bool:
        return session.exec(select(Prisoner.id).where(Prisoner.slug == slug)).first() is not None

    base = slugify(name)[:60]
    slug = base
    if taken(slug):
        slug = f"{base}-{slugify(external_id)}"[:80]
    # Two ids can slugify alike ("a!" and "a?", any two in Cyrillic): then a number decides.
    candidate, number = slug, 1
    while taken(candidate):
        number += 1
        candidate = f"{slug[:72]}-{number}"
    return candidate


def save_prisoner(
    session: Session,
    *,
    form: PrisonerForm,
    prisoner: Prisoner | None = None,
    today: date,
    moved_on: date | None = None,
) -> Prisoner:
    """Create a prisoner or change one; a new facility is a transfer on `moved_on` (today when
    not given): the old placement closes, a new one opens."""
    if prisoner is None:
        name, external_id = form.values["name_latin"], form.values["external_id"]
        prisoner = Prisoner(
            external_id=external_id,
            name_latin=name,
            slug=_unique_slug(session, name, external_id),
        )
    moved = prisoner.facility_id != form.facility_id
    for name, value in _new_values(prisoner, form).items():
        setattr(prisoner, name, value)
    prisoner.facility_id = form.facility_id
    prisoner.updated_at = utcnow()
    session.add(prisoner)
    session.flush()
    if moved:
        transfers.move(session, prisoner=prisoner, on=moved_on or today, today=today)
    return prisoner


def _new_values(prisoner: Prisoner, form: PrisonerForm) -> dict[str, Any]:
    """The form's values; names per language given replace those stored, the others stay."""
    values = dict(form.values)
    if "names" in values:
        names = {**(prisoner.names or {}), **values["names"]}
        values["names"] = {language: name for language, name in names.items() if name}
    return values


def _differences(prisoner: Prisoner, form: PrisonerForm) -> list[str]:
    new = _new_values(prisoner, form)
    changed = [name for name, value in new.items() if getattr(prisoner, name) != value]
    if prisoner.facility_id != form.facility_id:
        changed.append("facility")
    return changed


def import_prisoners(
    session: Session, rows: Iterable[Mapping[str, str]], *, apply: bool, today: date
) -> ImportReport:
    """Check every row first; only when all are good (and apply is set) change anything.

    The report lists, per row, whether it adds a person or which fields it changes.
    """
    report = ImportReport()
    facilities = facility_ids(session)
    seen: dict[str, int] = {}
    checked: list[tuple[Prisoner | None, PrisonerForm, ConsentForm | None]] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        if line - 1 > MAX_ROWS:
            report.errors.append((line, "", _("At most %(count)s rows per file.", count=MAX_ROWS)))
            break
        form, errors = parse_prisoner(row, facilities, today=today)
        external_id = one_line(row.get("external_id"))
        if external_id in seen:
            errors.add(
                "external_id",
                _(
                    "The id %(id)s is also on line %(line)s.",
                    id=external_id[:64],
                    line=seen[external_id],
                ),
            )
        elif external_id:
            seen[external_id] = line
        agreed = _consent_of(row, today, errors)
        for column, message in errors.items():
            report.errors.append((line, column, message))
        if form is None or errors:
            continue
        existing = session.exec(select(Prisoner).where(Prisoner.external_id == external_id)).first()
        changed = _differences(existing, form) if existing is not None else []
        if existing is not None and _consent_changes(session, existing, agreed):
            changed.append("consent")
        if existing is None:
            report.created += 1
            report.changes.append((line, external_id, _("new")))
        elif changed:
            report.updated += 1
            report.changes.append((line, external_id, ", ".join(changed)))
        else:
            report.unchanged += 1
        checked.append((existing, form, agreed))
    if report.errors or not apply:
        return report
    for existing, form, agreed in checked:
        saved = existing
        if existing is None or _differences(existing, form):
            # A move the list reports dates from the list (its source date), or from today.
            saved = save_prisoner(
                session,
                form=form,
                prisoner=existing,
                today=today,
                moved_on=form.values.get("source_date"),
            )
        if saved is not None and agreed is not None and _consent_changes(session, saved, agreed):
            consent.record(session, prisoner=saved, form=agreed, user_id=None)
    return report


def _consent_of(row: Mapping[str, str], today: date, errors: Any) -> ConsentForm | None:
    """The row's consent columns checked (errors under the CSV's column names); None when the
    row leaves consent as recorded."""
    raw = from_csv_row(row)
    if raw is None:
        return None
    agreed, problems = parse_consent(raw, today=today, typed=False)
    columns = {field: column for column, field in CONSENT_COLUMNS.items()}
    for field, message in problems.items():
        errors.add(columns.get(field, "consent"), message)
    return agreed


def _consent_changes(session: Session, prisoner: Prisoner, agreed: ConsentForm | None) -> bool:
    """Whether the row's consent differs from the record that decides now (a weekly import of
    the same file adds no history)."""
    if agreed is None or prisoner.id is None:
        return False
    now: PrisonerConsent | None = consent.latest(session, prisoner.id)
    if now is None:
        return True
    return (now.state, now.given_by, now.given_on, now.how) != (
        agreed.state.value,
        agreed.given_by.value,
        agreed.given_on,
        agreed.how.value,
    )


def read_csv(data: bytes) -> tuple[list[dict[str, str]], str | None]:
    """Rows of an uploaded prisoners CSV, or why it cannot be read."""
    return csvimport.read_csv(data, required={"external_id", "name_latin"}, columns=COLUMNS)


# The upload page and the command line import as of the day they run.
CSV_IMPORT = CsvImport(
    read_csv,
    lambda session, rows, apply: import_prisoners(
        session, rows, apply=apply, today=utcnow().date()
    ),
)
