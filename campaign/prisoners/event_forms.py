"""An event as an organiser types it on a prisoner's admin page, checked with an error per
field; and the kinds' names in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from campaign.core.fields import row_id
from campaign.core.i18n import _
from campaign.core.web import FormErrors
from campaign.prisoners.models import EventKind, PrisonerEvent
from campaign.prisoners.service.events import (
    BIRTHDAY,
    EXPECTED_RELEASE,
    SILENCE,
    EventForm,
)

NOTE_MAX = 280


def kind_labels() -> dict[str, str]:
    """Each kind as a reader says it ("write now: hearing on 12 December"), typed and derived."""
    return {
        EventKind.hearing.value: _("hearing"),
        EventKind.appeal.value: _("appeal hearing"),
        EventKind.hunger_strike.value: _("hunger strike"),
        EventKind.transfer.value: _("transfer"),
        EventKind.release.value: _("release"),
        EventKind.other.value: _("event"),
        BIRTHDAY: _("birthday"),
        EXPECTED_RELEASE: _("expected release"),
        SILENCE: _("no letter for a long time"),
    }


def typed_kind_choices() -> list[tuple[str, str]]:
    """The kinds an organiser may record."""
    labels = kind_labels()
    return [(kind.value, labels[kind.value]) for kind in EventKind]


def _day(raw: Mapping[str, str], name: str, errors: FormErrors) -> date | None:
    text = (raw.get(name) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.add(name, _("Enter a date such as 2024-03-01."))
        return None


def parse_event(
    raw: Mapping[str, str], *, campaign_ids: set[int]
) -> tuple[EventForm | None, FormErrors]:
    """Check an event: a known kind, a start, an end not before it, a short note, and a letter
    campaign among those the organiser may link (`campaign_ids`)."""
    errors = FormErrors()
    kind = None
    try:
        kind = EventKind((raw.get("kind") or "").strip())
    except ValueError:
        errors.add("kind", _("Choose what happens."))
    starts_on = _day(raw, "starts_on", errors)
    if starts_on is None and "starts_on" not in errors:
        errors.add("starts_on", _("Enter the day it starts."))
    ends_on = _day(raw, "ends_on", errors)
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.add("ends_on", _("The end cannot be before the start."))
    note = " ".join((raw.get("note") or "").split())
    if len(note) > NOTE_MAX:
        errors.add("note", _("At most %(num)d characters.", num=NOTE_MAX))
    campaign_id = None
    text = (raw.get("letter_campaign_id") or "").strip()
    if text:
        campaign_id = row_id(text)
        if campaign_id is None or campaign_id not in campaign_ids:
            errors.add("letter_campaign_id", _("Choose one of your organisations' campaigns."))
    if errors or kind is None or starts_on is None:
        return None, errors
    return EventForm(kind, starts_on, ends_on, note, campaign_id), errors


def form_values(event: PrisonerEvent) -> dict[str, str]:
    """A recorded event's fields as the form shows them."""
    return {
        "kind": event.kind,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat() if event.ends_on else "",
        "note": event.note,
        "letter_campaign_id": str(event.letter_campaign_id or ""),
    }
