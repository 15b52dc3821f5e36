"""A volunteer signs in by a link mailed to them (no password): asked for, mailed, used once.
The cookie it gives lasts SESSION_DAYS, or until the volunteer signs out on any device.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from sqlmodel import Session, select

from campaign.core.crypto import DecryptionError, keyring
from campaign.core.db import insert_new, utcnow
from campaign.core.ratelimit import LinkRequest
from campaign.core.security import RowLink, email_index, read_token, signer
from campaign.core.settings import Settings
from campaign.prisoners import emails
from campaign.prisoners.models import Volunteer

LINK_MINUTES = 60
# The link mailed to an address without a volunteer yet: it carries the address, encrypted.
FIRST_LINK = "volunteer-first-link"
FIRST_LINK_CONTEXT = b"volunteer-first-link.email"
SESSION_DAYS = 30
# The mailed sign-in link (used once: using it changes the nonce) and the cookie it gives.
LINK = RowLink(Volunteer, "volunteer-link", LINK_MINUTES * 60, lambda row: row.login_nonce)
SESSION = RowLink(
    Volunteer, "volunteer-session", SESSION_DAYS * 86400, lambda row: row.session_nonce
)


def request_link(
    session: Session, *, settings: Settings, asked: LinkRequest, back_to: str = "/volunteer"
) -> None:
    """Mail a sign-in link that leads back to `back_to` (a local path); the page is the same
    whether or not the address is known.

    Nothing is stored for an unknown address until its link is used: its link carries the
    address itself, encrypted, so that typing someone's address into the form leaves no row
    behind (and nothing for /my-data to list).
    """
    index = email_index(settings, asked.email)
    if not asked.within("volunteer-link", index, per_address="5/hour", per_client="20/hour"):
        return
    volunteer = session.exec(select(Volunteer).where(Volunteer.email_hash == index)).first()
    if volunteer is None:
        sealed = keyring().encrypt(asked.email.encode(), FIRST_LINK_CONTEXT)
        token = str(signer(settings, FIRST_LINK).dumps([sealed, asked.locale]))
    else:
        token = LINK.token(settings, volunteer)
    emails.volunteer_link(
        session,
        to=asked.email,
        locale=asked.locale,
        url=f"{settings.base_url}/volunteer/signin?"
        + urlencode({"token": token, "lang": asked.locale, "next": back_to}),
        minutes=LINK_MINUTES,
        base_url=settings.base_url,
    )


def use_link(session: Session, *, settings: Settings, token: str) -> Volunteer | None:
    """The volunteer a sign-in link belongs to, created by the first link used; a link works
    once."""
    volunteer = LINK.row(session, settings, token)
    if volunteer is None:
        return _first_sign_in(session, settings=settings, token=token)
    volunteer.login_nonce = secrets.token_urlsafe(12)
    session.add(volunteer)
    session.flush()
    return volunteer


def _first_sign_in(session: Session, *, settings: Settings, token: str) -> Volunteer | None:
    """The volunteer a first link creates; None once the address has a volunteer (the link
    was used already, or a newer one was)."""
    payload = read_token(settings, FIRST_LINK, token, max_age=LINK_MINUTES * 60)
    if not isinstance(payload, list) or len(payload) != 2:
        return None
    sealed, locale = payload
    try:
        email = keyring().decrypt(str(sealed), FIRST_LINK_CONTEXT).decode()
    except DecryptionError:
        return None
    table = Volunteer.__table__  # type: ignore[attr-defined]
    volunteer_id = insert_new(
        session,
        table,
        {
            "email": email,
            "email_hash": email_index(settings, email),
            "display_name": "",
            "locale": str(locale)[:10],
            "login_nonce": secrets.token_urlsafe(12),
            "session_nonce": secrets.token_urlsafe(12),
            "birthday_reminders": False,
            "reminder_days": 14,
            "followed_only": False,
            "silence_alerts": False,
            "transfer_notices": True,
            "created_at": utcnow(),
        },
    )
    return None if volunteer_id is None else session.get(Volunteer, volunteer_id)


def session_token(settings: Settings, volunteer: Volunteer) -> str:
    """The value of the volunteer's cookie."""
    return SESSION.token(settings, volunteer)


def volunteer_for_cookie(session: Session, *, settings: Settings, token: str) -> Volunteer | None:
    """The signed-in volunteer, if the cookie is genuine, recent and not signed out."""
    return SESSION.row(session, settings, token)


def sign_out(session: Session, *, volunteer: Volunteer) -> None:
    """End every session of this volunteer, on every device."""
    volunteer.session_nonce = secrets.token_urlsafe(12)
    session.add(volunteer)
    session.flush()
