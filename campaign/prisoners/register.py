"""The prisoner register: rows checked one by one, imported whole or not at all, exported back.

An import upserts on the external id (the id in the source list, e.g. Viasna's), so the same
file can be imported every week: new people are added, changed ones updated, the rest untouched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from campaign.core import csvimport
from campaign.core.csvcells import cell
from campaign.core.csvimport import ImportReport
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.core.slugs import slugify
from campaign.core.web import FormErrors
from campaign.prisoners.models import Facility, Gender, Placement, Prisoner, PrisonerStatus

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
]
LINES = {"name_latin": 200, "name_cyrillic": 200, "region": 100, "articles": 300}
LINES |= {"sentence": 300, "source": 300, "external_id": 64}
TEXTS = {"letter_address": 1000, "interests": 3000, "writer_notes": 3000}
DATES = ("birth_date", "arrested_on", "release_expected_on", "source_date")
MAX_ROWS = 20_000
YES = {"1", "yes", "true", "y", "да", "так", "tak", "ja", "taip"}
NO = {"0", "no", "false", "n", "нет", "не", "nie", "nein", "ne"}


@dataclass(frozen=True)
class PrisonerForm:
    """A prisoner as typed, every field checked; facility_id is None for "not known"."""

    values: dict[str, Any]
    facility_id: int | None


def _line(value: str | None) -> str:
    return " ".join((value or "").split())


def parse_prisoner(
    raw: Mapping[str, str], facilities: Mapping[str, int], *, today: date
) -> tuple[PrisonerForm | None, FormErrors]:
    """Check a prisoner's fields (from the form or a CSV row); errors by field.

    `facilities` maps facility names to ids: a row names its facility, the form picks one.
    """
    errors = FormErrors()
    values: dict[str, Any] = {name: _line(raw.get(name)) for name in LINES}
    values |= {name: (raw.get(name) or "").replace("\r\n", "\n").strip() for name in TEXTS}
    for name, limit in (LINES | TEXTS).items():
        if len(values[name]) > limit:
            errors.add(name, _("Use at most %(count)s characters.", count=limit))
    if not values["external_id"]:
        errors.add("external_id", _("Give the id this person has in your source list."))
    if not values["name_latin"]:
        errors.add("name_latin", _("Enter the name in Latin letters."))
    for name in DATES:
        text = (raw.get(name) or "").strip()
        values[name] = None
        if text:
            try:
                values[name] = date.fromisoformat(text)
            except ValueError:
                errors.add(name, _("Enter a date such as 2027-03-31."))
    birth, arrested = values["birth_date"], values["arrested_on"]
    release = values["release_expected_on"]
    if birth is not None and not date(1900, 1, 1) <= birth <= today:
        errors.add("birth_date", _("The date of birth cannot be in the future."))
    if arrested is not None and arrested > today:
        errors.add("arrested_on", _("The arrest cannot be in the future."))
    if release is not None and arrested is not None and release < arrested:
        errors.add("release_expected_on", _("The release cannot come before the arrest."))
    if birth is not None and arrested is not None and arrested < birth:
        errors.add("arrested_on", _("The arrest cannot come before the birth."))
    values["status"] = (raw.get("status") or PrisonerStatus.sentenced.value).strip().lower()
    if values["status"] not in {s.value for s in PrisonerStatus}:
        errors.add("status", _("Use one of: detained, sentenced, released, deceased."))
    values["gender"] = (raw.get("gender") or "").strip().lower()
    if values["gender"] not in {g.value for g in Gender}:
        errors.add("gender", _("Use female, male, other, or leave it empty."))
    accepts = (raw.get("accepts_letters") or "yes").strip().lower()
    if accepts not in YES | NO:
        errors.add("accepts_letters", _("Use yes or no."))
    values["accepts_letters"] = accepts in YES
    facility_name = _line(raw.get("facility"))
    facility_id = facilities.get(facility_name) if facility_name else None
    if facility_name and facility_id is None:
        errors.add("facility", _("No facility named %(name)s.", name=facility_name[:100]))
    if errors:
        return None, errors
    return PrisonerForm(values, facility_id), errors


def list_prisoners(session: Session) -> list[Prisoner]:
    """Everyone in the register, by name."""
    return list(session.exec(select(Prisoner).order_by(col(Prisoner.name_latin))).all())


def external_id_taken(session: Session, external_id: str, *, except_id: int | None) -> bool:
    """Whether another record already has this external id."""
    query = select(Prisoner.id).where(Prisoner.external_id == external_id)
    if except_id is not None:
        query = query.where(Prisoner.id != except_id)
    return session.exec(query).first() is not None


def facility_names(session: Session) -> dict[int, str]:
    """Facility ids to names."""
    return {fid: name for name, fid in facility_ids(session).items()}


def form_values(prisoner: Prisoner, names: Mapping[int, str]) -> dict[str, str]:
    """A stored record as the form (and the CSV) shows it; names: facility ids to names."""
    values: dict[str, str] = {}
    for name in COLUMNS:
        if name == "facility":
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


def facility_ids(session: Session) -> dict[str, int]:
    """Facility names to ids."""
    rows = session.exec(select(Facility.name, Facility.id)).all()
    return {name: fid for name, fid in rows if fid is not None}


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
    session: Session, *, form: PrisonerForm, prisoner: Prisoner | None = None, today: date
) -> Prisoner:
    """Create a prisoner or change one; a new facility closes the old placement, opens a new one."""
    if prisoner is None:
        name, external_id = form.values["name_latin"], form.values["external_id"]
        prisoner = Prisoner(
            external_id=external_id,
            name_latin=name,
            slug=_unique_slug(session, name, external_id),
        )
    moved = prisoner.facility_id != form.facility_id
    for name, value in form.values.items():
        setattr(prisoner, name, value)
    prisoner.facility_id = form.facility_id
    prisoner.updated_at = utcnow()
    session.add(prisoner)
    session.flush()
    if moved:
        _record_placement(session, prisoner, today)
    return prisoner


def _record_placement(session: Session, prisoner: Prisoner, today: date) -> None:
    current = session.exec(
        select(Placement).where(
            Placement.prisoner_id == prisoner.id, col(Placement.until).is_(None)
        )
    ).all()
    for placement in current:
        placement.until = today
        session.add(placement)
    if prisoner.facility_id is not None:
        session.add(
            Placement(prisoner_id=prisoner.id, facility_id=prisoner.facility_id, since=today)  # type: ignore[arg-type]
        )
    session.flush()


def _differences(prisoner: Prisoner, form: PrisonerForm) -> list[str]:
    changed = [name for name, value in form.values.items() if getattr(prisoner, name) != value]
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
    checked: list[tuple[Prisoner | None, PrisonerForm]] = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        if line - 1 > MAX_ROWS:
            report.errors.append((line, "", _("At most %(count)s rows per file.", count=MAX_ROWS)))
            break
        form, errors = parse_prisoner(row, facilities, today=today)
        external_id = _line(row.get("external_id"))
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
        for column, message in errors.items():
            report.errors.append((line, column, message))
        if form is None or errors:
            continue
        existing = session.exec(select(Prisoner).where(Prisoner.external_id == external_id)).first()
        if existing is None:
            report.created += 1
            report.changes.append((line, external_id, _("new")))
        elif changed := _differences(existing, form):
            report.updated += 1
            report.changes.append((line, external_id, ", ".join(changed)))
        else:
            report.unchanged += 1
        checked.append((existing, form))
    if report.errors or not apply:
        return report
    for existing, form in checked:
        if existing is None or _differences(existing, form):
            save_prisoner(session, form=form, prisoner=existing, today=today)
    return report


def read_csv(data: bytes) -> tuple[list[dict[str, str]], str | None]:
    """Rows of an uploaded prisoners CSV, or why it cannot be read."""
    return csvimport.read_csv(data, required={"external_id", "name_latin"}, columns=COLUMNS)


def export_csv(session: Session) -> bytes:
    """The whole register as CSV, in the columns the import reads (photos stay out)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    names = facility_names(session)
    for prisoner in list_prisoners(session):
        values = form_values(prisoner, names)
        writer.writerow([cell(values[name]) for name in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode()
