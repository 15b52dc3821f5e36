"""Transfers: a prisoner moved to another facility on a date (often learnt late), the new
address mailed once to the volunteers who follow the person or wrote lately, and letters left at
the old address after the move told apart from the rest.

A transfer closes the open placement and opens the next on the transfer's date. The register's
form and import go through `move` too (register.save_prisoner).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from campaign.core.db import insert_once, utcnow
from campaign.core.settings import Settings
from campaign.mail import outbox
from campaign.prisoners import emails
from campaign.prisoners.models import (
    Facility,
    Follow,
    Placement,
    Prisoner,
    ReminderSent,
    SolidarityLetter,
    Volunteer,
)
from campaign.prisoners.service.consent import named_publicly
from campaign.prisoners.service.opt_out import opt_out, opt_out_token
from campaign.prisoners.service.prisoners import HELD, address_block

# Who hears of a transfer: those who wrote in the 60 days before it (or since). Also how long
# a person's page says they were moved.
RECENT_DAYS = 60
# Transfers recorded this long ago are still mailed about (the worker may have been down).
MAIL_WITHIN = timedelta(days=7)
KIND = "transfer"
# The signed tokens of this mail's unsubscribe links.
PURPOSE = "transfer-notices"


@dataclass(frozen=True)
class TransferForm:
    """A transfer as typed, checked: where to, from when, the new envelope address, a note."""

    facility_id: int
    moved_on: date
    letter_address: str
    note: str


def current_placement(session: Session, prisoner_id: int | None) -> Placement | None:
    """Where the prisoner is held now, as the register records it (None: not known)."""
    return session.exec(
        select(Placement)
        .where(Placement.prisoner_id == prisoner_id, col(Placement.until).is_(None))
        .order_by(col(Placement.since).desc(), col(Placement.id).desc())
    ).first()


def history(session: Session, prisoner_id: int) -> list[tuple[Placement, str]]:
    """Where the prisoner was held, newest first, with each facility's name."""
    rows = session.exec(
        select(Placement, Facility.name)
        .join(Facility, col(Facility.id) == col(Placement.facility_id))
        .where(Placement.prisoner_id == prisoner_id)
        .order_by(col(Placement.since).desc(), col(Placement.id).desc())
    ).all()
    return [(placement, name) for placement, name in rows]


def facility_on(session: Session, prisoner: Prisoner, day: date) -> int | None:
    """Where the person was held on a day, as the placements tell; else where they are now (a
    letter logged late, sent before a move recorded since, went to the old facility)."""
    held = session.exec(
        select(col(Placement.facility_id))
        .where(
            Placement.prisoner_id == prisoner.id,
            col(Placement.since) <= day,
            or_(col(Placement.until).is_(None), col(Placement.until) > day),
        )
        .order_by(col(Placement.since).desc(), col(Placement.id).desc())
    ).first()
    return held if held is not None else prisoner.facility_id


def earliest_date(session: Session, prisoner: Prisoner) -> date | None:
    """The first day a transfer can be dated: not before the current placement began, nor
    before the arrest."""
    current = current_placement(session, prisoner.id)
    bounds = [day for day in (current and current.since, prisoner.arrested_on) if day]
    return max(bounds) if bounds else None


def move(session: Session, *, prisoner: Prisoner, on: date, today: date, note: str = "") -> None:
    """Close the open placement and open one at the prisoner's facility, on the given date
    (kept between the current placement's start and today: an import's date may be older)."""
    current = session.exec(
        select(Placement).where(
            Placement.prisoner_id == prisoner.id, col(Placement.until).is_(None)
        )
    ).all()
    on = min(on, today)
    on = max([on, *(placement.since for placement in current)])
    for placement in current:
        placement.until = on
        session.add(placement)
    if prisoner.facility_id is not None:
        session.add(
            Placement(
                prisoner_id=prisoner.id,  # type: ignore[arg-type]
                facility_id=prisoner.facility_id,
                since=on,
                note=note,
            )
        )
    session.flush()


def record_transfer(
    session: Session, *, prisoner: Prisoner, form: TransferForm, today: date
) -> None:
    """Move the prisoner to another facility from a date, with the new envelope address."""
    prisoner.facility_id = form.facility_id
    prisoner.letter_address = form.letter_address
    prisoner.updated_at = utcnow()
    session.add(prisoner)
    session.flush()
    move(session, prisoner=prisoner, on=form.moved_on, today=today, note=form.note)


def _moved_from() -> Any:
    """Whether the placement in the outer query followed one at another facility: a transfer,
    not the first record of where the person is."""
    before = aliased(Placement)
    return exists().where(
        col(before.prisoner_id) == col(Placement.prisoner_id),
        col(before.until) == col(Placement.since),
        col(before.facility_id) != col(Placement.facility_id),
        col(before.id) != col(Placement.id),
    )


def recent_move(session: Session, prisoner: Prisoner, today: date) -> date | None:
    """The day the person was moved where they are now, if within the last 60 days."""
    return session.exec(
        select(col(Placement.since)).where(
            Placement.prisoner_id == prisoner.id,
            col(Placement.until).is_(None),
            col(Placement.since) >= today - timedelta(days=RECENT_DAYS),
            _moved_from(),
        )
    ).first()


def old_address() -> Any:
    """Whether the letter in the outer query went to a facility the person had left by the day
    it was sent (and had not come back to)."""
    left, held = aliased(Placement), aliased(Placement)
    letter = SolidarityLetter
    return and_(
        exists().where(
            col(left.prisoner_id) == col(letter.prisoner_id),
            col(left.facility_id) == col(letter.facility_id),
            col(left.until).is_not(None),
            col(left.until) <= col(letter.sent_on),
        ),
        ~exists().where(
            col(held.prisoner_id) == col(letter.prisoner_id),
            col(held.facility_id) == col(letter.facility_id),
            col(held.since) <= col(letter.sent_on),
            or_(col(held.until).is_(None), col(held.until) > col(letter.sent_on)),
        ),
    )


def old_address_letters(session: Session, *, volunteer_id: int | None) -> set[int]:
    """Ids of the volunteer's letters that went to an old address."""
    query = select(SolidarityLetter.id).where(
        SolidarityLetter.volunteer_id == volunteer_id, old_address()
    )
    return {letter_id for letter_id in session.exec(query).all() if letter_id is not None}


# -- the notice ------------------------------------------------------------------------------


def unsubscribe_token(settings: Settings, volunteer: Volunteer) -> str:
    """The signed token of the unsubscribe link in transfer notices."""
    return opt_out_token(settings, PURPOSE, volunteer)


def unsubscribe(session: Session, *, settings: Settings, token: str) -> bool:
    """Turn off transfer notices for the volunteer the link belongs to; False for a bad link."""
    flags = ("transfer_notices",)
    return opt_out(session, settings=settings, purpose=PURPOSE, token=token, flags=flags)


def _to_mail(session: Session, now: datetime) -> list[tuple[Placement, Prisoner, Facility]]:
    """Transfers recorded lately to where held people named publicly are now."""
    rows = session.exec(
        select(Placement, Prisoner, Facility)
        .join(Prisoner, col(Prisoner.id) == col(Placement.prisoner_id))
        .join(Facility, col(Facility.id) == col(Placement.facility_id))
        .where(
            col(Placement.until).is_(None),
            col(Placement.recorded_at) >= now - MAIL_WITHIN,
            Prisoner.facility_id == Placement.facility_id,
            col(Prisoner.status).in_(HELD),
            named_publicly(),
            _moved_from(),
        )
        .order_by(col(Placement.id))
    ).all()
    return [(placement, prisoner, facility) for placement, prisoner, facility in rows]


def recipients(session: Session, placement: Placement) -> list[Volunteer]:
    """Volunteers who follow the person or logged a letter to them from 60 days before the
    transfer on, unless they turned these notices off or their address cannot be mailed."""
    followers = select(Follow.volunteer_id).where(Follow.prisoner_id == placement.prisoner_id)
    writers = select(SolidarityLetter.volunteer_id).where(
        SolidarityLetter.prisoner_id == placement.prisoner_id,
        col(SolidarityLetter.sent_on) >= placement.since - timedelta(days=RECENT_DAYS),
        col(SolidarityLetter.volunteer_id).is_not(None),
    )
    found = session.exec(
        select(Volunteer)
        .where(
            col(Volunteer.id).in_(union(followers, writers).scalar_subquery()),
            col(Volunteer.transfer_notices).is_(True),
        )
        .order_by(col(Volunteer.id))
    ).all()
    return outbox.only_mailable(found, what="transfer notices")


def _late_letters(session: Session, volunteer: Volunteer, prisoner: Prisoner) -> int:
    return int(
        session.exec(
            select(func.count()).where(
                SolidarityLetter.volunteer_id == volunteer.id,
                SolidarityLetter.prisoner_id == prisoner.id,
                old_address(),
            )
        ).one()
    )


def send_notices(session: Session, *, settings: Settings, now: datetime) -> int:
    """Mail each recipient of each transfer recorded lately the new address, once; how many."""
    sent = 0
    for placement, prisoner, facility in _to_mail(session, now):
        for volunteer in recipients(session, placement):
            once = {
                "volunteer_id": volunteer.id,
                "prisoner_id": prisoner.id,
                "kind": KIND,
                "occasion": str(placement.id),
            }
            if not insert_once(session, ReminderSent.__table__, once):  # type: ignore[attr-defined]
                continue
            token = unsubscribe_token(settings, volunteer)
            lang = f"lang={volunteer.locale}"
            emails.transfer_notice(
                session,
                name=prisoner.name_latin,
                moved_on=placement.since.isoformat(),
                facility=facility.name,
                address=address_block(prisoner, facility),
                url=f"{settings.base_url}/prisoners/{prisoner.slug}?{lang}",
                late_letters=_late_letters(session, volunteer, prisoner),
                unsubscribe=f"{settings.base_url}/volunteer/unsubscribe/transfers"
                f"?token={token}&{lang}",
                to=volunteer.email,
                locale=volunteer.locale,
                base_url=settings.base_url,
            )
            sent += 1
    return sent
