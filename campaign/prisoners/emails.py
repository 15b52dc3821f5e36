"""The mail the prisoners' side sends: one function per message, its arguments what the
templates (templates/emails/<name>.*) use, and the envelope (to, locale, base_url)."""

from __future__ import annotations

from typing import TypedDict, Unpack

from sqlmodel import Session

from campaign.mail import outbox
from campaign.mail.outbox import Envelope


def volunteer_link(
    session: Session, *, url: str, minutes: int, **envelope: Unpack[Envelope]
) -> int:
    """A volunteer's sign-in link, which works once for `minutes`."""
    context = {"url": url, "minutes": minutes}
    return outbox.enqueue(session, template="volunteer_link", context=context, **envelope)


class ReminderItem(TypedDict):
    """One line of the digest: a birthday coming up, or a followed person's long silence."""

    kind: str  # "birthday" or "silence"
    name: str
    url: str  # the person's page
    occasion: str  # the birthday, the last letter's date, or "never"


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
