"""The mail letters to officials send, one typed function per message: each queues
templates/emails/<name>.{subject,txt,html} in the caller's transaction, with exactly the values
those templates use, and returns the outbox message's id."""

from __future__ import annotations

from sqlmodel import Session

from campaign.mail import outbox
from campaign.mail.models import MailPriority


def confirm_letters(
    session: Session,
    *,
    to: str,
    locale: str,
    name: str,
    title: str,
    officials: list[str],
    url: str,
    days: int,
    base_url: str,
    priority: MailPriority = MailPriority.normal,
) -> int:
    """Ask a supporter to confirm their address before their letters go to the officials."""
    return outbox.enqueue(
        session,
        to=to,
        template="confirm_letters",
        context={"name": name, "title": title, "officials": officials, "url": url, "days": days},
        locale=locale,
        base_url=base_url,
        priority=priority,
    )


def letter_to_official(
    session: Session,
    *,
    to: str,
    locale: str,
    subject: str,
    body: str,
    sender_name: str,
    reply_to: str,
    base_url: str,
    priority: MailPriority = MailPriority.normal,
) -> int:
    """A letter in the supporter's name: their name on From, their address for replies."""
    return outbox.enqueue(
        session,
        to=to,
        template="letter_to_official",
        context={"subject": subject, "body": body, "sender_name": sender_name},
        locale=locale,
        headers={"From-Name": sender_name, "Reply-To": reply_to},
        base_url=base_url,
        priority=priority,
    )


def reply_check(
    session: Session,
    *,
    to: str,
    locale: str,
    name: str,
    title: str,
    url: str,
    base_url: str,
    priority: MailPriority = MailPriority.normal,
) -> int:
    """Ask a supporter, once, whether an official answered their letters."""
    return outbox.enqueue(
        session,
        to=to,
        template="reply_check",
        context={"name": name, "title": title, "url": url},
        locale=locale,
        base_url=base_url,
        priority=priority,
    )
