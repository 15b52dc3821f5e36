"""The mail petitions send, one function per message: its arguments are what the templates
templates/emails/<name>.{subject,txt,html} use. Each queues the message in the caller's
transaction and returns its outbox id."""

from __future__ import annotations

from sqlmodel import Session

from campaign.mail import outbox
from campaign.mail.models import MailPriority


def confirm_signature(
    session: Session,
    *,
    to: str,
    locale: str,
    name: str,
    title: str,
    url: str,
    days: int,
    base_url: str,
    priority: MailPriority = MailPriority.normal,
) -> int:
    """The link a signer follows to confirm a signature, working for `days` days."""
    return outbox.enqueue(
        session,
        to=to,
        template="confirm_signature",
        context={"name": name, "title": title, "url": url, "days": days},
        locale=locale,
        base_url=base_url,
        priority=priority,
    )


def already_signed(
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
    """To a confirmed signer whose address signed again: nothing more to do, and the petition."""
    return outbox.enqueue(
        session,
        to=to,
        template="already_signed",
        context={"name": name, "title": title, "url": url},
        locale=locale,
        base_url=base_url,
        priority=priority,
    )


def petition_update(
    session: Session,
    *,
    to: str,
    locale: str,
    name: str,
    title: str,
    subject: str,
    text: str,
    unsubscribe_url: str,
    petition_url: str,
    base_url: str,
) -> int:
    """An organiser's update to a signer who asked for them, with one-click unsubscribe."""
    return outbox.enqueue(
        session,
        to=to,
        template="petition_update",
        context={
            "name": name,
            "title": title,
            "subject": subject,
            "text": text,
            "unsubscribe_url": unsubscribe_url,
            "petition_url": petition_url,
        },
        locale=locale,
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        base_url=base_url,
    )
