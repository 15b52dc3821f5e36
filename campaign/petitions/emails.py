"""The mail petitions send, one function per message: its arguments are what the templates
templates/emails/<name>.{subject,txt,html} use, and the envelope (to, locale, base_url,
priority). Each queues the message in the caller's transaction and returns its outbox id."""

from __future__ import annotations

from typing import Unpack

from sqlmodel import Session

from campaign.mail import outbox
from campaign.mail.outbox import Envelope


def confirm_signature(
    session: Session, *, name: str, title: str, url: str, days: int, **envelope: Unpack[Envelope]
) -> int:
    """The link a signer follows to confirm a signature, working for `days` days."""
    context = {"name": name, "title": title, "url": url, "days": days}
    return outbox.enqueue(session, template="confirm_signature", context=context, **envelope)


def already_signed(
    session: Session, *, name: str, title: str, url: str, **envelope: Unpack[Envelope]
) -> int:
    """To a confirmed signer whose address signed again: nothing more to do, and the petition."""
    context = {"name": name, "title": title, "url": url}
    return outbox.enqueue(session, template="already_signed", context=context, **envelope)


def petition_update(
    session: Session,
    *,
    name: str,
    title: str,
    subject: str,
    text: str,
    unsubscribe_url: str,
    petition_url: str,
    **envelope: Unpack[Envelope],
) -> int:
    """An organiser's update to a signer who asked for them, with one-click unsubscribe."""
    return outbox.enqueue(
        session,
        template="petition_update",
        context={
            "name": name,
            "title": title,
            "subject": subject,
            "text": text,
            "unsubscribe_url": unsubscribe_url,
            "petition_url": petition_url,
        },
        headers=outbox.unsubscribe_headers(unsubscribe_url),
        **envelope,
    )
