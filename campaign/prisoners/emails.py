"""The mail the prisoners' side sends: one function per message, its arguments what the
templates (templates/emails/<name>.*) use."""

from __future__ import annotations

from typing import TypedDict

from sqlmodel import Session

from campaign.mail import outbox


def volunteer_link(
    session: Session, *, to: str, locale: str, url: str, minutes: int, base_url: str
) -> int:
    """A volunteer's sign-in link, which works once for `minutes`."""
    return outbox.enqueue(
        session,
        to=to,
        template="volunteer_link",
        context={"url": url, "minutes": minutes},
        locale=locale,
        base_url=base_url,
    )


class ReminderItem(TypedDict):
    """One line of the digest: a birthday coming up, or a followed person's long silence."""

    kind: str  # "birthday" or "silence"
    name: str
    url: str  # the person's page
    occasion: str  # the birthday, the last letter's date, or "never"


def volunteer_reminders(
    session: Session,
    *,
    to: str,
    locale: str,
    items: list[ReminderItem],
    unsubscribe: str,
    base_url: str,
) -> int:
    """A volunteer's digest of reminders, with a one-click unsubscribe (RFC 8058)."""
    return outbox.enqueue(
        session,
        to=to,
        template="volunteer_reminders",
        context={"items": items, "unsubscribe": unsubscribe},
        locale=locale,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        base_url=base_url,
    )
