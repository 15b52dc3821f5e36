"""The mail petitions send, one function per message: its arguments are what the templates
templates/emails/<name>.{subject,txt,html} use, and the envelope (to, locale, base_url,
priority). Each queues the message in the caller's transaction and returns its outbox id."""

from __future__ import annotations

from typing import TypedDict, Unpack

from sqlmodel import Session

from campaign.core.settings import Settings
from campaign.mail import outbox
from campaign.mail.messages import render_parts
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


class UpdateMessage(TypedDict):
    """What an update to a signer says: the templates' variables."""

    name: str
    title: str
    subject: str
    text: str  # Markdown: HTML in the HTML part, plain text (no marks) in the text part
    unsubscribe_url: str  # "" in the test an organiser sends to themself
    petition_url: str
    document_url: str  # an official response's document, or ""


def petition_update(
    session: Session, *, message: UpdateMessage, **envelope: Unpack[Envelope]
) -> int:
    """An organiser's update to a signer who asked for them, with one-click unsubscribe."""
    url = message["unsubscribe_url"]
    return outbox.enqueue(
        session,
        template="petition_update",
        context=dict(message),
        headers=outbox.unsubscribe_headers(url) if url else None,
        **envelope,
    )


def render_petition_update(
    settings: Settings, locale: str, message: UpdateMessage
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of an update as it will be mailed: the organiser's preview."""
    return render_parts("petition_update", dict(message), locale, settings)
