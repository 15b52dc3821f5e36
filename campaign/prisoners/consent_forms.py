"""The consent record as an organiser types it on a prisoner's page or a register CSV carries it,
checked at the edge with an error per field."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar

from campaign.core.i18n import _
from campaign.core.web import FormErrors
from campaign.prisoners.models import ConsentFrom, ConsentHow, ConsentState, PrisonerConsent
from campaign.prisoners.service.consent import ConsentForm

NOTE_MAX = 2000
# The CSV's columns for the form's fields: an empty `consent` keeps what is recorded. The note
# stays out: it can name family members, and a CSV travels further than the database.
T = TypeVar("T")
CSV_COLUMNS = {
    "consent": "state",
    "consent_from": "given_by",
    "consent_date": "given_on",
    "consent_how": "how",
}


def state_labels() -> dict[str, str]:
    """Each state as the organiser reads it (in their language, hence a function)."""
    return {
        ConsentState.given.value: _("given"),
        ConsentState.withdrawn.value: _("withdrawn"),
    }


def from_labels() -> dict[str, str]:
    """Who gave or withdrew consent."""
    return {
        ConsentFrom.person.value: _("the person"),
        ConsentFrom.family.value: _("family"),
        ConsentFrom.lawyer.value: _("lawyer"),
        ConsentFrom.other.value: _("someone else"),
        ConsentFrom.before_tracking.value: _("recorded before consent tracking"),
    }


def typed_from_choices() -> list[tuple[str, str]]:
    """The choices an organiser may type: all but the upgrade's own marker."""
    marker = ConsentFrom.before_tracking.value
    return [(value, label) for value, label in from_labels().items() if value != marker]


def how_labels() -> dict[str, str]:
    """How it was given or withdrawn."""
    return {
        ConsentHow.in_person.value: _("in person"),
        ConsentHow.letter.value: _("by letter"),
        ConsentHow.message.value: _("by message"),
        ConsentHow.lawyer.value: _("through a lawyer"),
        ConsentHow.other.value: _("another way"),
    }


def _choice(
    raw: Mapping[str, str], name: str, kind: Callable[[str], T], errors: FormErrors, message: str
) -> T | None:
    try:
        return kind((raw.get(name) or "").strip())
    except ValueError:
        errors.add(name, message)
        return None


def parse_consent(
    raw: Mapping[str, str], *, today: date, typed: bool = True
) -> tuple[ConsentForm | None, FormErrors]:
    """Check a consent record; the upgrade's own marker cannot be typed, only read back from an
    exported register (typed=False), so that an export imports unchanged."""
    errors = FormErrors()
    state = _choice(raw, "state", ConsentState, errors, _("Choose given or withdrawn."))
    given_by = _choice(raw, "given_by", ConsentFrom, errors, _("Choose who gave or withdrew it."))
    if typed and given_by is ConsentFrom.before_tracking:
        errors.add("given_by", _("Choose who gave or withdrew it."))
    how = _choice(raw, "how", ConsentHow, errors, _("Choose how it was given or withdrawn."))
    given_on = None
    text = (raw.get("given_on") or "").strip()
    try:
        given_on = date.fromisoformat(text) if text else today
    except ValueError:
        errors.add("given_on", _("Enter a date such as 2024-03-01."))
    if given_on is not None and given_on > today:
        errors.add("given_on", _("The date cannot be in the future."))
    note = (raw.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors.add("note", _("At most %(num)d characters.", num=NOTE_MAX))
    if errors or state is None or given_by is None or how is None or given_on is None:
        return None, errors
    return ConsentForm(state, given_by, given_on, how, note), errors


def from_csv_row(row: Mapping[str, str]) -> dict[str, str] | None:
    """The form's fields from a register row's consent columns; None when `consent` is empty
    (the row keeps what is recorded)."""
    if not (row.get("consent") or "").strip():
        return None
    values = {field: (row.get(column) or "").strip() for column, field in CSV_COLUMNS.items()}
    values["given_by"] = values["given_by"] or ConsentFrom.other.value
    values["how"] = values["how"] or ConsentHow.other.value
    values["given_on"] = values["given_on"] or ""
    return values


def to_csv_row(record: PrisonerConsent | None) -> dict[str, str]:
    """The consent columns of an exported row: empty for a person never recorded."""
    if record is None:
        return dict.fromkeys(CSV_COLUMNS, "")
    return {
        "consent": record.state,
        "consent_from": record.given_by,
        "consent_date": record.given_on.isoformat(),
        "consent_how": record.how,
    }
