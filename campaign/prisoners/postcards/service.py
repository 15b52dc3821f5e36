"""Printing a card (a stored row with a fresh code) and logging it by its code, once."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.prisoners.models import Channel, Facility, Prisoner, SolidarityLetter, Volunteer
from campaign.prisoners.postcards.models import Postcard
from campaign.prisoners.service import volunteers
from campaign.prisoners.service.consent import named_publicly
from campaign.prisoners.service.volunteers import LogOutcome

# Crockford's base 32: no I, L, O or U, so that nothing typed from paper is ambiguous. Eight
# characters are 2^40 codes: with wrong tries limited per client, guessing one is hopeless.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_NOT_CODE = re.compile(r"[\s\-_.]")


class CardOutcome(StrEnum):
    logged = "logged"
    released = "released"  # logged; the register says the person is no longer held
    already_logged = "already_logged"
    too_many = "too_many"  # the volunteer's daily limits: the card stays unlogged


@dataclass(frozen=True)
class Card:
    """A card found by its code, with the person it is for."""

    postcard: Postcard
    prisoner: Prisoner


def new_code() -> str:
    """A random code, as stored."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def printed(code: str) -> str:
    """The code as the card shows it, in two groups of four: "K7PM-3QX2"."""
    return f"{code[:4]}-{code[4:]}"


def normalise(typed: str) -> str | None:
    """The stored form of a code as typed or pasted (any case, spaces, dashes, the whole
    link); None when it cannot be a code."""
    tail = typed.strip().rstrip("/").rsplit("/", 1)[-1]
    code = _NOT_CODE.sub("", tail).upper().translate(_READ_AS)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def print_postcard(
    session: Session, *, prisoner: Prisoner, facility: Facility | None, picture: str
) -> Postcard:
    """Store a new card with a code no other card has."""
    for _attempt in range(5):
        card = Postcard(
            code=new_code(),
            prisoner_id=prisoner.id,  # type: ignore[arg-type]
            facility_id=facility.id if facility else None,
            picture=picture,
        )
        try:
            with session.begin_nested():  # a code drawn twice retries, the request goes on
                session.add(card)
        except IntegrityError:
            continue
        return card
    raise RuntimeError("no free postcard code after five tries")


def card_by_code(session: Session, code: str) -> Card | None:
    """The card with this code, for a person who may be named; None otherwise (a hidden
    person's card is like an unknown code: it leaves no trace)."""
    row = session.exec(
        select(Postcard, Prisoner)
        .join(Prisoner, col(Prisoner.id) == col(Postcard.prisoner_id))
        .where(Postcard.code == code, named_publicly())
    ).first()
    return Card(row[0], row[1]) if row else None


def log_postcard(
    session: Session, *, settings: Settings, volunteer: Volunteer, card: Card
) -> CardOutcome:
    """Log the card as a letter by post sent today, to the facility it was addressed to.

    The card is claimed by a conditional update: of two requests at the same moment, on either
    database, one sets `logged_at` and the other finds it set and logs nothing.
    """
    postcard = card.postcard
    claimed = session.execute(
        update(Postcard)
        .where(col(Postcard.id) == postcard.id, col(Postcard.logged_at).is_(None))
        .values(logged_at=utcnow())
    )
    if not claimed.rowcount:  # type: ignore[attr-defined]
        return CardOutcome.already_logged
    today = utcnow().date()
    outcome = volunteers.log_letter(
        session,
        settings=settings,
        volunteer=volunteer,
        prisoner=card.prisoner,
        sent_on=today,
        channel=Channel.post.value,
    )
    if outcome in {LogOutcome.too_many_to_prisoner, LogOutcome.too_many_today}:
        session.execute(
            update(Postcard).where(col(Postcard.id) == postcard.id).values(logged_at=None)
        )
        return CardOutcome.too_many
    # A letter by post to this person today that the volunteer logged by hand already is
    # taken to be this card: it is linked, not counted twice.
    letter = session.exec(
        select(SolidarityLetter)
        .where(
            SolidarityLetter.volunteer_id == volunteer.id,
            SolidarityLetter.prisoner_id == card.prisoner.id,
            SolidarityLetter.sent_on == today,
            SolidarityLetter.channel == Channel.post.value,
        )
        .order_by(col(SolidarityLetter.id).desc())
    ).first()
    assert letter is not None
    if outcome is not LogOutcome.duplicate:
        letter.facility_id = postcard.facility_id
        session.add(letter)
    session.execute(
        update(Postcard).where(col(Postcard.id) == postcard.id).values(letter_id=letter.id)
    )
    session.flush()
    return CardOutcome.released if outcome is LogOutcome.released else CardOutcome.logged
