"""One-click opt-outs of the mail volunteers get (RFC 8058 links in reminder digests and
transfer notices): a signed token per kind of mail, naming the volunteer, that turns off that
kind alone."""

from __future__ import annotations

from sqlmodel import Session

from campaign.core.security import read_token, signer
from campaign.core.settings import Settings
from campaign.prisoners.models import Volunteer

OPT_OUT_DAYS = 400  # a link in an old mail keeps working for a year and more


def opt_out_token(settings: Settings, purpose: str, volunteer: Volunteer) -> str:
    """The signed token of an opt-out link for one kind of mail (`purpose`)."""
    return str(signer(settings, purpose).dumps(volunteer.id))


def opt_out(
    session: Session, *, settings: Settings, purpose: str, token: str, flags: tuple[str, ...]
) -> bool:
    """Turn off the volunteer's `flags` for the link's volunteer; False for a bad link."""
    volunteer_id = read_token(settings, purpose, token, max_age=OPT_OUT_DAYS * 86400)
    volunteer = session.get(Volunteer, volunteer_id) if isinstance(volunteer_id, int) else None
    if volunteer is None:
        return False
    for flag in flags:
        setattr(volunteer, flag, False)
    session.add(volunteer)
    session.flush()
    return True
