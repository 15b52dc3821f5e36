"""Volunteers: signed in by a link mailed to them (no password), their letters and follow-ups.

A volunteer is never shown publicly; only they see their own letters.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import case, delete, func, update
from sqlmodel import Session, col, select

from campaign.core.crypto import DecryptionError, keyring
from campaign.core.db import insert_new, utcnow
from campaign.core.fields import check_email
from campaign.core.i18n import _
from campaign.core.ratelimit import Limiter
from campaign.core.security import email_index, read_token, row_for_token, row_token, signer
from campaign.core.settings import Settings
from campaign.core.web import FormErrors
from campaign.mail import outbox
from campaign.prisoners.models import (
    Channel,
    Follow,
    LetterState,
    Prisoner,
    SolidarityLetter,
    Volunteer,
)

LINK_MINUTES = 60
# The link mailed to an address without a volunteer yet: it carries the address, encrypted.
FIRST_LINK = "volunteer-first-link"
FIRST_LINK_CONTEXT = b"volunteer-first-link.email"
SESSION_DAYS = 30
FOLLOW_UP_AFTER = timedelta(days=42)  # six weeks: time enough for a letter and its answer
NOTE_MAX = 1000
NAME_MAX = 80


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


def request_link(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    email: str,
    locale: str,
    ip_hash: str,
) -> None:
    """Mail a sign-in link; the page is the same whether or not the address is known.

    Nothing is stored for an unknown address until its link is used: its link carries the
    address itself, encrypted, so that typing someone's address into the form leaves no row
    behind (and nothing for /my-data to list).
    """
    index = email_index(settings, email)
    if not limiter.hit_mailbox(
        "volunteer-link", index=index, client=ip_hash, per_address="5/hour", per_client="20/hour"
    ):
        return
    volunteer = session.exec(select(Volunteer).where(Volunteer.email_hash == index)).first()
    if volunteer is None:
        sealed = keyring().encrypt(email.encode(), FIRST_LINK_CONTEXT)
        token = str(signer(settings, FIRST_LINK).dumps([sealed, locale]))
    else:
        token = row_token(settings, "volunteer-link", volunteer.id, volunteer.login_nonce)
    outbox.enqueue(
        session,
        to=email,
        template="volunteer_link",
        context={
            "url": f"{settings.base_url}/volunteer/signin?token={token}&lang={locale}",
            "minutes": LINK_MINUTES,
        },
        locale=locale,
        base_url=settings.base_url,
    )


def use_link(session: Session, *, settings: Settings, token: str) -> Volunteer | None:
    """The volunteer a sign-in link belongs to, created by the first link used; a link works
    once."""
    volunteer = row_for_token(
        session,
        Volunteer,
        settings=settings,
        purpose="volunteer-link",
        token=token,
        max_age=LINK_MINUTES * 60,
        nonce=lambda row: row.login_nonce,
    )
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
            "created_at": utcnow(),
        },
    )
    return None if volunteer_id is None else session.get(Volunteer, volunteer_id)


def session_token(settings: Settings, volunteer: Volunteer) -> str:
    """The value of the volunteer's cookie."""
    return row_token(settings, "volunteer-session", volunteer.id, volunteer.session_nonce)


def volunteer_for_cookie(session: Session, *, settings: Settings, token: str) -> Volunteer | None:
    """The signed-in volunteer, if the cookie is genuine, recent and not signed out."""
    return row_for_token(
        session,
        Volunteer,
        settings=settings,
        purpose="volunteer-session",
        token=token,
        max_age=SESSION_DAYS * 86400,
        nonce=lambda row: row.session_nonce,
    )


def sign_out(session: Session, *, volunteer: Volunteer) -> None:
    """End every session of this volunteer, on every device."""
    volunteer.session_nonce = secrets.token_urlsafe(12)
    session.add(volunteer)
    session.flush()


def parse_email_form(
    raw: dict[str, str], *, smtputf8: bool = False
) -> tuple[str | None, FormErrors]:
    """The address typed on the sign-in page, or the error to show (`smtputf8`: the relay
    takes addresses with letters outside ASCII before the @)."""
    errors = FormErrors()
    email, problem = check_email(raw.get("email", ""), smtputf8=smtputf8)
    if problem:
        errors.add("email", problem)
        return None, errors
    return email, errors


# -- letters -------------------------------------------------------------------------------


def parse_log(raw: dict[str, str], *, today: date) -> tuple[tuple[date, str] | None, FormErrors]:
    """The date and channel of a letter being logged, or errors by field."""
    errors = FormErrors()
    try:
        sent_on = date.fromisoformat(raw.get("sent_on", "").strip())
    except ValueError:
        errors.add("sent_on", _("Enter a date such as 2027-03-31."))
        sent_on = today
    if sent_on > today:
        errors.add("sent_on", _("The date cannot be in the future."))
    elif sent_on < today - timedelta(days=365):
        errors.add("sent_on", _("Log letters sent within the last year."))
    channel = raw.get("channel", Channel.post.value)
    if channel not in {c.value for c in Channel}:
        errors.add("channel", _("Choose how the letter went."))
    if errors:
        return None, errors
    return (sent_on, channel), errors


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
            facility_id=prisoner.facility_id,
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
    return [
        MyLetter(
            letter,
            name,
            slug,
            letter.state == LetterState.sent and letter.sent_on <= today - FOLLOW_UP_AFTER,
        )
        for letter, name, slug in rows
    ]


# -- settings and follows ------------------------------------------------------------------


def save_settings(session: Session, *, volunteer: Volunteer, raw: dict[str, str]) -> FormErrors:
    """Store the display name and reminder choices; errors by field."""
    errors = FormErrors()
    name = " ".join(raw.get("display_name", "").split())
    if len(name) > NAME_MAX:
        errors.add("display_name", _("Use at most %(count)s characters.", count=NAME_MAX))
    days = raw.get("reminder_days", "14").strip()
    if not days.isdigit() or not 1 <= int(days) <= 60:
        errors.add(
            "reminder_days", _("Enter a whole number from %(low)s to %(high)s.", low=1, high=60)
        )
    if errors:
        return errors
    volunteer.display_name = name
    volunteer.reminder_days = int(days)
    volunteer.birthday_reminders = raw.get("birthday_reminders") == "1"
    volunteer.followed_only = raw.get("followed_only") == "1"
    volunteer.silence_alerts = raw.get("silence_alerts") == "1"
    session.add(volunteer)
    session.flush()
    return errors


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
