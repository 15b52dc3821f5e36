"""The mail the prisoners' side sends: one function per message, its arguments what the
templates (templates/emails/<name>.*) use, and the envelope (to, locale, base_url)."""

from __future__ import annotations

from typing import NotRequired, TypedDict, Unpack

from sqlmodel import Session

from campaign.mail import outbox
from campaign.mail.outbox import Envelope


def volunteer_link(
    session: Session, *, url: str, minutes: int, **envelope: Unpack[Envelope]
) -> int:
    """A volunteer's sign-in link, which works once for `minutes`."""
    context = {"url": url, "minutes": minutes}
    return outbox.enqueue(session, template="volunteer_link", context=context, **envelope)


class EventDetails(TypedDict):
    """An event an organiser recorded for a followed person."""

    kind: str  # a PrisonerEvent kind: "hearing", "hunger_strike"…
    starts_on: str
    ongoing: bool  # it started already when the digest went out
    note: str  # public, short
    campaign_url: str  # the linked letter campaign when the public may write in it, else ""


class ReminderItem(TypedDict):
    """One line of the digest: a birthday coming up, a followed person's long silence, or an
    event recorded for them."""

    kind: str  # "birthday", "silence" or "event"
    name: str
    url: str  # the person's page
    occasion: str  # the birthday, the last letter's date, "never", or the event's id
    event: NotRequired[EventDetails]


def volunteer_reminders(
    session: Session, *, items: list[ReminderItem], unsubscribe: str, **envelope: Unpack[Envelope]
) -> int:
    """A volunteer's digest of reminders, with a one-click unsubscribe (RFC 8058)."""
    return outbox.enqueue(
        session,
        template="volunteer_reminders",
        context={"items": items, "unsubscribe": unsubscribe},
        headers=outbox.unsubscribe_headers(unsubscribe),
        **envelope,
    )


def transfer_notice(
    session: Session,
    *,
    name: str,
    moved_on: str,
    facility: str,
    address: list[str],
    url: str,
    late_letters: int,
    unsubscribe: str,
    **envelope: Unpack[Envelope],
) -> int:
    """The new address of someone the volunteer follows or wrote to, after a transfer
    (`late_letters`: theirs that went to the old address), with a one-click unsubscribe."""
    context = {
        "name": name,
        "moved_on": moved_on,
        "facility": facility,
        "address": address,
        "url": url,
        "late_letters": late_letters,
        "unsubscribe": unsubscribe,
    }
    return outbox.enqueue(
        session,
        template="transfer_notice",
        context=context,
        headers=outbox.unsubscribe_headers(unsubscribe),
        **envelope,
    )
