"""The mail the privacy pages send: one function per message, its arguments what the templates
use and the envelope (to, locale, base_url)."""

from __future__ import annotations

from typing import Unpack

from sqlmodel import Session

from campaign.mail import outbox
from campaign.mail.outbox import Envelope


def my_data(session: Session, *, url: str, **envelope: Unpack[Envelope]) -> int:
    """A link to see, download or erase what is stored about the address it goes to."""
    return outbox.enqueue(session, template="my_data", context={"url": url}, **envelope)
