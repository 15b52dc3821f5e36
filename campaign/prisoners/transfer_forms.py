"""The "Record a transfer" form, checked at the edge with an error beside each field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from campaign.core.i18n import _, localized_date
from campaign.core.web import FormErrors
from campaign.prisoners.forms import TEXTS
from campaign.prisoners.service.transfers import TransferForm

NOTE_MAX = 1000


def parse_transfer(
    raw: Mapping[str, str],
    facilities: Mapping[str, int],
    *,
    current: int | None,
    earliest: date | None,
    today: date,
) -> tuple[TransferForm | None, FormErrors]:
    """Check a transfer: another facility than the current one, a date neither in the future
    nor before the current placement began (or the arrest), the new envelope address."""
    errors = FormErrors()
    name = " ".join((raw.get("facility") or "").split())
    facility_id = facilities.get(name)
    if facility_id is None:
        errors.add("facility", _("Choose the facility the person was moved to."))
    elif facility_id == current:
        errors.add("facility", _("The person is held there already."))
    text = (raw.get("moved_on") or "").strip()
    try:
        moved_on = date.fromisoformat(text)
    except ValueError:
        errors.add("moved_on", _("Enter a date such as 2027-03-31."))
        moved_on = today
    if moved_on > today:
        errors.add("moved_on", _("The transfer cannot be in the future."))
    elif earliest is not None and moved_on < earliest:
        errors.add(
            "moved_on",
            _(
                "The transfer cannot come before %(date)s (the current placement's start, or "
                "the arrest).",
                date=localized_date(earliest),
            ),
        )
    address = (raw.get("letter_address") or "").replace("\r\n", "\n").strip()
    if len(address) > TEXTS["letter_address"]:
        errors.add(
            "letter_address", _("Use at most %(count)s characters.", count=TEXTS["letter_address"])
        )
    note = (raw.get("note") or "").replace("\r\n", "\n").strip()
    if len(note) > NOTE_MAX:
        errors.add("note", _("Use at most %(count)s characters.", count=NOTE_MAX))
    if errors or facility_id is None:
        return None, errors
    return TransferForm(facility_id, moved_on, address, note), errors
