"""What the prisoners' side holds about a volunteer's address, and its erasure: the volunteer
goes, the letters they logged stay (without their notes) so that every prisoner's count holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from campaign.core.i18n import _
from campaign.prisoners.models import Follow, Prisoner, SolidarityLetter, Volunteer


def holdings(session: Session, index: str) -> dict[str, Any] | None:
    """The volunteer account of the address behind this keyed hash, with its log and follows."""
    volunteer = session.exec(select(Volunteer).where(Volunteer.email_hash == index)).first()
    if volunteer is None:
        return None
    logged = session.exec(
        select(SolidarityLetter, Prisoner.name_latin)
        .join(Prisoner, col(Prisoner.id) == SolidarityLetter.prisoner_id)
        .where(SolidarityLetter.volunteer_id == volunteer.id)
        .order_by(col(SolidarityLetter.sent_on))
    ).all()
    followed = session.exec(
        select(Prisoner.name_latin)
        .join(Follow, col(Follow.prisoner_id) == Prisoner.id)
        .where(Follow.volunteer_id == volunteer.id)
    ).all()
    return {
        "email": volunteer.email,
        "display_name": volunteer.display_name,
        "language": volunteer.locale,
        "birthday_reminders": volunteer.birthday_reminders,
        "silence_alerts": volunteer.silence_alerts,
        "transfer_notices": volunteer.transfer_notices,
        "follows": list(followed),
        "letters": [
            {
                "to": name,
                "sent_on": letter.sent_on.isoformat(),
                "channel": letter.channel,
                "state": letter.state,
                "note": letter.note,
            }
            for letter, name in logged
        ],
    }


def holdings_lines(held: dict[str, Any]) -> list[str]:
    """The page's line for a volunteer account."""
    return [_("Your volunteer account")]


def erase_address(session: Session, index: str) -> int:
    """Remove the volunteer with this address; 1 when there was one."""
    volunteer = session.exec(select(Volunteer).where(Volunteer.email_hash == index)).first()
    if volunteer is None:
        return 0
    # Logged letters stay for the prisoners' statistics, without whoever wrote them.
    session.execute(
        update(SolidarityLetter)
        .where(col(SolidarityLetter.volunteer_id) == volunteer.id)
        .values(note="")
    )
    session.execute(delete(Volunteer).where(col(Volunteer.id) == volunteer.id))
    return 1
