"""The mail accounts send: one function per message, its arguments what the templates use."""

from __future__ import annotations

from sqlmodel import Session

from campaign.mail import outbox


def invitation(
    session: Session,
    *,
    to: str,
    locale: str,
    url: str,
    inviter: str,
    site: str,
    organisation: str = "",
    role: str = "",
) -> int:
    """A one-time link for someone invited to run campaigns, to choose their password; the
    organisation they join and their role there, when the invitation names them."""
    context = {"url": url, "inviter": inviter, "site": site, "organisation": organisation}
    context["role"] = role
    return outbox.enqueue(session, to=to, template="invitation", context=context, locale=locale)


def welcome(
    session: Session, *, to: str, name: str, base_url: str, locale: str | None = None
) -> int:
    """A new organiser's account is ready: where to log in."""
    context = {"name": name}
    return outbox.enqueue(
        session, to=to, template="welcome", context=context, locale=locale, base_url=base_url
    )
