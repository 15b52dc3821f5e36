"""The mail the privacy pages send: one function per message, its arguments what the templates
use."""

from __future__ import annotations

from sqlmodel import Session

from campaign.mail import outbox


def my_data(session: Session, *, to: str, locale: str, url: str, base_url: str) -> int:
    """A link to see, download or erase what is stored about the address it goes to."""
    return outbox.enqueue(
        session,
        to=to,
        template="my_data",
        context={"url": url},
        locale=locale,
        base_url=base_url,
    )
