"""The mail letters to officials send, one typed function per message: each queues
templates/emails/<name>.{subject,txt,html} in the caller's transaction, with exactly the values
those templates use and the envelope (to, locale, base_url, priority), and returns the outbox
message's id."""

from __future__ import annotations

from typing import Unpack

from sqlmodel import Session

from campaign.mail import outbox
from campaign.mail.outbox import Envelope


def confirm_letters(
    session: Session,
    *,
    name: str,
    title: str,
    officials: list[str],
    url: str,
    days: int,
    **envelope: Unpack[Envelope],
) -> int:
    """Ask a supporter to confirm their address before their letters go to the officials."""
    context = {"name": name, "title": title, "officials": officials, "url": url, "days": days}
    return outbox.enqueue(session, template="confirm_letters", context=context, **envelope)


def letter_to_official(
    session: Session,
    *,
    subject: str,
    body: str,
    sender_name: str,
    reply_to: str,
    **envelope: Unpack[Envelope],
) -> int:
    """A letter in the supporter's name: their name on From, their address for replies."""
    context = {"subject": subject, "body": body, "sender_name": sender_name}
    headers = {"From-Name": sender_name, "Reply-To": reply_to}
    return outbox.enqueue(
        session, template="letter_to_official", context=context, headers=headers, **envelope
    )


def reply_check(
    session: Session, *, name: str, title: str, url: str, **envelope: Unpack[Envelope]
) -> int:
    """Ask a supporter, once, whether an official answered their letters."""
    context = {"name": name, "title": title, "url": url}
    return outbox.enqueue(session, template="reply_check", context=context, **envelope)
