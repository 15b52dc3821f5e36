"""What a signed-in volunteer does: log the letters they send (within daily limits), mark
what became of them, follow people, choose their reminders. Signing in is in sign_in.py.

A volunteer is never shown publicly; only they see their own letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import case, delete, func, update
from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.prisoners.forms import SettingsForm
from campaign.prisoners.models import Follow, LetterState, Prisoner, SolidarityLetter, Volunteer
from campaign.prisoners.service import transfers

FOLLOW_UP_AFTER = timedelta(days=42)  # six weeks: time enough for a letter and its answer
NOTE_MAX = 1000


class LogOutcome(StrEnum):
    logged = "logged"
    released = "released"  # logged, but the person is no longer held: the volunteer is warned
    duplicate = "duplicate"  # the same person, date and way: refused
    too_many_to_prisoner = "too_many_to_prisoner"  # refused: today's limit for this person
    too_many_today = "too_many_today"  # refused: today's limit in all


@dataclass(frozen=True)
class MyLetter:
    letter: SolidarityLetter
    prisoner_name: str
    prisoner_slug: str
    follow_up: bool
    old_address: bool = False  # went to a facility the person had left by the day it was sent


def log_letter(
    session: Session,
    *,
    settings: Settings,
    volunteer: Volunteer,
    prisoner: Prisoner,
    sent_on: date,
    channel: str,
) -> LogOutcome:
    """Record a letter sent, within the volunteer's daily limits and unless it is logged
    already; a letter to someone released is kept, and the volunteer warned."""
    # A no-op update takes the volunteer's row lock (PostgreSQL) or the write lock (SQLite):
    # two logs of one volunteer at the same moment are counted one after the other.
    session.execute(
        update(Volunteer)
        .where(col(Volunteer.id) == volunteer.id)
        .values(session_nonce=Volunteer.session_nonce)
    )
    same = session.exec(
        select(SolidarityLetter.id).where(
            SolidarityLetter.volunteer_id == volunteer.id,
            SolidarityLetter.prisoner_id == prisoner.id,
            SolidarityLetter.sent_on == sent_on,
            SolidarityLetter.channel == channel,
        )
    ).first()
    if same is not None:
        return LogOutcome.duplicate
    since = datetime.combine(utcnow().date(), time.min, tzinfo=UTC)
    in_all, to_prisoner = session.exec(
        select(
            func.count(),
            func.coalesce(
                func.sum(case((col(SolidarityLetter.prisoner_id) == prisoner.id, 1), else_=0)), 0
            ),
        ).where(
            SolidarityLetter.volunteer_id == volunteer.id,
            col(SolidarityLetter.created_at) >= since,
        )
    ).one()
    if to_prisoner >= settings.volunteer_letters_per_prisoner_per_day:
        return LogOutcome.too_many_to_prisoner
    if in_all >= settings.volunteer_letters_per_day:
        return LogOutcome.too_many_today
    session.add(
        SolidarityLetter(
            prisoner_id=prisoner.id,  # type: ignore[arg-type]
            volunteer_id=volunteer.id,
            facility_id=transfers.facility_on(session, prisoner, sent_on),
            sent_on=sent_on,
            channel=channel,
        )
    )
    session.flush()
    held = prisoner.status in {"detained", "sentenced"}
    return LogOutcome.logged if held else LogOutcome.released


def mark_outcome(
    session: Session,
    *,
    volunteer: Volunteer,
    letter_id: int,
    state: str,
    on: date,
    note: str,
) -> bool:
    """Mark one of the volunteer's own letters returned or answered (or back to sent)."""
    letter = session.get(SolidarityLetter, letter_id)
    if letter is None or letter.volunteer_id != volunteer.id:
        return False
    if state not in {s.value for s in LetterState}:
        return False
    letter.state = state
    letter.outcome_on = None if state == LetterState.sent else max(on, letter.sent_on)
    letter.note = note.replace("\r\n", "\n").strip()[:NOTE_MAX]
    session.add(letter)
    session.flush()
    return True


def my_letters(session: Session, *, volunteer: Volunteer, today: date) -> list[MyLetter]:
    """The volunteer's letters, newest first; old ones without news are flagged for follow-up."""
    rows = session.exec(
        select(SolidarityLetter, Prisoner.name_latin, Prisoner.slug)
        .join(Prisoner, col(Prisoner.id) == col(SolidarityLetter.prisoner_id))
        .where(SolidarityLetter.volunteer_id == volunteer.id)
        .order_by(col(SolidarityLetter.sent_on).desc(), col(SolidarityLetter.id).desc())
    ).all()
    late = transfers.old_address_letters(session, volunteer_id=volunteer.id)
    return [
        MyLetter(
            letter,
            name,
            slug,
            letter.state == LetterState.sent and letter.sent_on <= today - FOLLOW_UP_AFTER,
            letter.id in late,
        )
        for letter, name, slug in rows
    ]


# -- settings and follows ------------------------------------------------------------------


def save_settings(session: Session, *, volunteer: Volunteer, form: SettingsForm) -> None:
    """Store the display name and reminder choices."""
    volunteer.display_name = form.display_name
    volunteer.reminder_days = form.reminder_days
    volunteer.birthday_reminders = form.birthday_reminders
    volunteer.followed_only = form.followed_only
    volunteer.silence_alerts = form.silence_alerts
    volunteer.transfer_notices = form.transfer_notices
    session.add(volunteer)
    session.flush()


def follows(session: Session, volunteer: Volunteer) -> set[int]:
    """Ids of the prisoners the volunteer follows."""
    query = select(Follow.prisoner_id).where(Follow.volunteer_id == volunteer.id)
    return set(session.exec(query).all())


def set_follow(session: Session, *, volunteer: Volunteer, prisoner: Prisoner, on: bool) -> None:
    """Follow or stop following a prisoner."""
    session.execute(
        delete(Follow).where(
            col(Follow.volunteer_id) == volunteer.id, col(Follow.prisoner_id) == prisoner.id
        )
    )
    if on:
        session.add(Follow(volunteer_id=volunteer.id, prisoner_id=prisoner.id))  # type: ignore[arg-type]
    session.flush()
