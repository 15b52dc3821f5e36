"""What organisers watch: who has gone without mail, which facilities pass letters on, and
what is coming up. Statistics never name a volunteer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func
from sqlalchemy import select as sql_select  # five columns: more than sqlmodel's select types
from sqlmodel import Session, col, select

from campaign.prisoners.models import Facility, LetterState, Prisoner, SolidarityLetter
from campaign.prisoners.service import consent, transfers
from campaign.prisoners.service.prisoners import HELD, next_birthday

SILENCES = (30, 60, 90)
AHEAD_DAYS = 30


@dataclass(frozen=True)
class FacilityStats:
    name: str
    sent: int
    returned: int
    answered: int
    old_address: int = 0  # sent there after the person had been moved elsewhere

    @property
    def answer_rate(self) -> int:
        """Per cent of letters answered (0 when none were sent)."""
        return round(100 * self.answered / self.sent) if self.sent else 0


@dataclass(frozen=True)
class Board:
    silent: dict[int, list[tuple[Prisoner, date | None]]]  # days → people and their last letter
    facilities: list[FacilityStats]
    birthdays: list[tuple[Prisoner, date]]
    releases: list[Prisoner]
    # Not named publicly (never recorded, or withdrawn), yet counted in every figure above.
    waiting: list[Prisoner]
    # Public only because the upgrade recorded them so: to be confirmed.
    review: list[Prisoner]

    def is_public(self, prisoner: Prisoner) -> bool:
        """Whether the person has a public page to link to (the others have none)."""
        return prisoner.id not in {person.id for person in self.waiting}


def _last_letters(session: Session) -> dict[int, date]:
    rows = session.exec(
        select(SolidarityLetter.prisoner_id, func.max(SolidarityLetter.sent_on)).group_by(
            col(SolidarityLetter.prisoner_id)
        )
    ).all()
    return {prisoner_id: last for prisoner_id, last in rows}


def facility_stats(session: Session) -> list[FacilityStats]:
    """Letters sent, returned and answered per facility they went to, and those sent there
    after the person had been moved, most letters first."""
    rows = session.execute(
        sql_select(
            col(Facility.name),
            func.count(col(SolidarityLetter.id)),
            func.sum(case((col(SolidarityLetter.state) == LetterState.returned, 1), else_=0)),
            func.sum(case((col(SolidarityLetter.state) == LetterState.answered, 1), else_=0)),
            func.sum(case((transfers.old_address(), 1), else_=0)),
        )
        .join(Facility, col(Facility.id) == col(SolidarityLetter.facility_id))
        .group_by(col(Facility.name))
        .order_by(func.count(col(SolidarityLetter.id)).desc(), col(Facility.name))
    ).all()
    return [
        FacilityStats(name, int(n), int(r or 0), int(a or 0), int(old or 0))
        for name, n, r, a, old in rows
    ]


def _held_writable(session: Session) -> list[Prisoner]:
    return list(
        session.exec(
            select(Prisoner)
            .where(col(Prisoner.status).in_(HELD), col(Prisoner.accepts_letters).is_(True))
            .order_by(col(Prisoner.name_latin))
        ).all()
    )


def without_mail(session: Session, *, today: date, days: int = 60) -> int:
    """How many people held, whom letters reach, have had no logged letter for `days` days or
    more (or never one)."""
    last = _last_letters(session)
    since = today - timedelta(days=days)
    return sum(
        1
        for prisoner in _held_writable(session)
        if (latest := last.get(prisoner.id or 0)) is None or latest <= since
    )


def dashboard(session: Session, *, today: date) -> Board:
    """The organiser's overview of the register and its mail."""
    held = _held_writable(session)
    last = _last_letters(session)
    silent: dict[int, list[tuple[Prisoner, date | None]]] = {days: [] for days in SILENCES}
    for prisoner in held:
        latest = last.get(prisoner.id or 0)
        for days in reversed(SILENCES):  # each person in the longest silence that applies
            if latest is None or latest <= today - timedelta(days=days):
                silent[days].append((prisoner, latest))
                break
    horizon = today + timedelta(days=AHEAD_DAYS)
    birthdays = sorted(
        (
            (prisoner, next_birthday(prisoner.birth_date, today))
            for prisoner in held
            if prisoner.birth_date is not None
        ),
        key=lambda item: item[1],
    )
    releases = session.exec(
        select(Prisoner)
        .where(
            col(Prisoner.status).in_(HELD),
            col(Prisoner.release_expected_on) >= today,
            col(Prisoner.release_expected_on) <= horizon + timedelta(days=60),
        )
        .order_by(col(Prisoner.release_expected_on))
    ).all()
    return Board(
        silent,
        facility_stats(session),
        [item for item in birthdays if item[1] <= horizon],
        list(releases),
        consent.waiting(session),
        consent.review_due(session),
    )
