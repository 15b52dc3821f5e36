"""Whom to write to, and how: the public list, a prisoner's page, birthdays and addresses."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pycountry
from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from campaign.core.i18n import _
from campaign.core.scripts import fits_language, script_of_language
from campaign.prisoners.models import (
    Facility,
    Gender,
    LettersFrom,
    Prisoner,
    PrisonerStatus,
    SolidarityLetter,
)
from campaign.prisoners.service.consent import named_publicly

RECENT_DAYS = 30
RELEASE_SOON_DAYS = 90
HELD = (PrisonerStatus.detained.value, PrisonerStatus.sentenced.value)
# How the country line must be written for the post office of the sending country.
COUNTRY_LINES = {"BY": "REPUBLIC OF BELARUS", "RU": "RUSSIAN FEDERATION"}


@dataclass(frozen=True)
class Filters:
    """What a volunteer narrowed the list to."""

    birthday_this_month: bool = False
    release_soon: bool = False
    women: bool = False
    accepting: bool = False
    region: str = ""


@dataclass(frozen=True)
class Listed:
    """A prisoner on the list, with the mail they got lately."""

    prisoner: Prisoner
    facility: str
    recent_letters: int  # volunteers who wrote in the last 30 days, each counted once


def next_birthday(birth: date, today: date) -> date:
    """The next birthday on or after today; 29 February is kept on 28 February in other years."""
    for year in (today.year, today.year + 1):
        day = min(birth.day, calendar.monthrange(year, birth.month)[1])
        candidate = date(year, birth.month, day)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable: next year's birthday is always ahead")


def birthday_in_month(birth: date | None, today: date) -> bool:
    """Whether the birthday falls in the current month."""
    return birth is not None and birth.month == today.month


def _writers() -> Any:
    """Counts each volunteer once, however many letters they logged: one account cannot bury
    a prisoner under its logs. The letters of every erased volunteer count together as one
    writer (0 is never a volunteer's id): erasing oneself through /my-data and signing in again
    must not turn one person into a new writer each time."""
    return func.count(func.distinct(func.coalesce(col(SolidarityLetter.volunteer_id), 0)))


def _recent_letters(today: date) -> Any:
    return (
        select(SolidarityLetter.prisoner_id, _writers().label("recent"))
        .where(col(SolidarityLetter.sent_on) > today - timedelta(days=RECENT_DAYS))
        .group_by(col(SolidarityLetter.prisoner_id))
        .subquery()
    )


def _needing_mail(filters: Filters, today: date) -> tuple[Any, Any]:
    """People held now matching the filters, with their facility and recent writers, and the
    count to sort by."""
    recent = _recent_letters(today)
    count = func.coalesce(recent.c.recent, 0)
    query = (
        select(Prisoner, Facility.name, count)
        .outerjoin(recent, recent.c.prisoner_id == col(Prisoner.id))
        .outerjoin(Facility, col(Facility.id) == col(Prisoner.facility_id))
        .where(col(Prisoner.status).in_(HELD), named_publicly())
    )
    if filters.accepting:
        query = query.where(col(Prisoner.accepts_letters).is_(True))
    if filters.women:
        query = query.where(Prisoner.gender == Gender.female)
    if filters.region:
        query = query.where(Prisoner.region == filters.region)
    if filters.release_soon:
        query = query.where(
            and_(
                col(Prisoner.release_expected_on) >= today,
                col(Prisoner.release_expected_on) <= today + timedelta(days=RELEASE_SOON_DAYS),
            )
        )
    return query, count


def prisoners_needing_mail(
    session: Session, *, filters: Filters, today: date, limit: int = 200
) -> list[Listed]:
    """People held now, those fewest volunteers wrote to in the last 30 days first."""
    query, count = _needing_mail(filters, today)
    query = query.order_by(count, col(Prisoner.name_latin)).limit(limit)
    listed = [
        Listed(prisoner, facility or "", int(n)) for prisoner, facility, n in session.exec(query)
    ]
    if filters.birthday_this_month:  # month arithmetic differs per database: done here
        listed = [item for item in listed if birthday_in_month(item.prisoner.birth_date, today)]
    return listed


# Whom "pick someone for me" tries first: a letter from a stranger reaches those who take
# anyone's, may reach those nobody has asked about, and is withheld from the others.
PICK_ORDER = (LettersFrom.anyone.value, LettersFrom.unknown.value, LettersFrom.listed.value)


def pick_for_me(session: Session, *, today: date) -> Prisoner | None:
    """Someone letters reach, at random among those who got the fewest lately, preferring people
    who take letters from any sender, and those who take only listed senders' last."""
    query, count = _needing_mail(Filters(accepting=True), today)
    preference = case(
        *((col(Prisoner.letters_from) == value, rank) for rank, value in enumerate(PICK_ORDER)),
        else_=len(PICK_ORDER),
    )
    rows = session.exec(query.order_by(preference, count).limit(200)).all()
    if not rows:
        return None
    best = rows[0][0].letters_from, rows[0][2]
    tied = [prisoner for prisoner, _facility, n in rows if (prisoner.letters_from, n) == best]
    return random.choice(tied)  # noqa: S311


def regions(session: Session) -> list[str]:
    """The regions of people held now, for the filter."""
    query = (
        select(Prisoner.region)
        .where(col(Prisoner.status).in_(HELD), Prisoner.region != "", named_publicly())
        .distinct()
        .order_by(col(Prisoner.region))
    )
    return list(session.exec(query).all())


def public_prisoner(session: Session, slug: str) -> tuple[Prisoner, Facility | None] | None:
    """A prisoner's record and facility, by slug; None for one who may not be named (the same
    as an unknown slug: a hidden person leaves no trace)."""
    row = session.exec(
        select(Prisoner, Facility)
        .outerjoin(Facility, col(Facility.id) == col(Prisoner.facility_id))
        .where(Prisoner.slug == slug, named_publicly())
    ).first()
    return (row[0], row[1]) if row else None


def photo_owner(session: Session, name: str) -> tuple[bool, bool]:
    """Whether an uploaded image is a prisoner's photo, and whether that person may be named:
    the photo of someone hidden for want of consent is as hidden as their page."""
    owners = session.exec(select(Prisoner.id).where(Prisoner.photo == name)).all()
    if not owners:
        return False, False
    public = session.exec(
        select(Prisoner.id).where(col(Prisoner.id).in_(owners), named_publicly())
    ).first()
    return True, public is not None


def public_register(session: Session) -> list[tuple[Prisoner, Facility | None]]:
    """Everyone the public may see, with their facility, by name: the open list (the API and
    the sitemap). Those hidden for want of consent are not in it."""
    rows = session.exec(
        select(Prisoner, Facility)
        .outerjoin(Facility, col(Facility.id) == col(Prisoner.facility_id))
        .where(named_publicly())
        .order_by(col(Prisoner.name_latin), col(Prisoner.id))
    ).all()
    return [(prisoner, facility) for prisoner, facility in rows]


def can_write(prisoner: Prisoner) -> bool:
    """Whether letters can be sent: the person is held and letters reach them."""
    return prisoner.status in HELD and prisoner.accepts_letters


def name_in(prisoner: Prisoner, language: str) -> str:
    """The name as a letter in the language writes it: the one recorded for the language, else
    the Cyrillic or Latin name in that language's script; "" when none is written in it."""
    script = script_of_language(language)
    usual = {"Cyrl": prisoner.name_cyrillic, "Latn": prisoner.name_latin}.get(script, "")
    for name in ((prisoner.names or {}).get(language, ""), usual):
        if name.strip() and fits_language(name, language):
            return name.strip()
    return ""


def prisoner_choices(session: Session) -> list[tuple[int, str]]:
    """(id, name) of every prisoner in the register, by name, for a letter campaign's form."""
    rows = session.exec(
        select(Prisoner.id, Prisoner.name_latin).order_by(col(Prisoner.name_latin))
    ).all()
    return [(pid, name) for pid, name in rows if pid is not None]


def prisoner_by_id(session: Session, prisoner_id: int | None) -> Prisoner | None:
    """A prisoner of the register, or None."""
    return session.get(Prisoner, prisoner_id) if prisoner_id is not None else None


def held_in(facility: Facility | None) -> str:
    """The country a person is held in: their facility's, Belarus while it is not known (the
    register began with Belarus's prisoners)."""
    return facility.country if facility else "BY"


def country_line(code: str) -> str:
    """The country as the last line of an envelope, in Latin capitals."""
    if code in COUNTRY_LINES:
        return COUNTRY_LINES[code]
    country = pycountry.countries.get(alpha_2=code)
    name = getattr(country, "official_name", None) or getattr(country, "name", None)
    return str(name or code).upper()


def address_block(prisoner: Prisoner, facility: Facility | None) -> list[str]:
    """The envelope's address lines: the prisoner's own address (or the facility's), then the
    country in Latin capitals so that the sending post office can route it."""
    text = prisoner.letter_address or (facility.address if facility else "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    country = country_line(facility.country if facility else "BY")
    return lines if lines[-1].upper() == country else [*lines, country]


def recent_letter_count(session: Session, prisoner: Prisoner, today: date) -> int:
    """Volunteers who logged a letter to this person in the last 30 days."""
    return int(
        session.exec(
            select(_writers()).where(
                SolidarityLetter.prisoner_id == prisoner.id,
                col(SolidarityLetter.sent_on) > today - timedelta(days=RECENT_DAYS),
            )
        ).one()
    )


def writing_rules(country: str) -> list[str]:
    """What the prison censor lets through, for the country the person is held in."""
    if country == "RU":
        return [
            _("Write in Russian: letters in other languages are held back or lost."),
            _("Keep off politics, the case and the war; write about everyday life."),
            _("Letters can also go through the FSIN-Pismo e-letter service."),
            _("A return address is optional; the reply may take weeks."),
        ]
    return [
        _("Write in Russian or Belarusian: letters in other languages are not handed over."),
        _("Do not write about politics or the case; short everyday topics get through."),
        _("Your return address is optional. Without it, no reply can reach you."),
        _("Put in blank paper and a stamped envelope, so that a reply is possible."),
        _("Letters from abroad take two to six weeks; do not be discouraged by silence."),
    ]
