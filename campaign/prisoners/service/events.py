"""Events that call for letters: what organisers record (a hearing, a hunger strike…) and what
the register and the letter log tell by themselves (a birthday, an expected release, a long
silence), for the person's page, the top of the list and the followers' reminders.

Only people who may be named appear (consent), and a linked letter campaign only while the
public may see it and write in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_
from sqlmodel import Session, col, select

from campaign.core.i18n import _
from campaign.letters.models import CampaignStatus, LetterCampaign
from campaign.letters.service.campaigns import all_campaigns, taking_letters
from campaign.prisoners.models import (
    EventKind,
    Follow,
    Prisoner,
    PrisonerEvent,
    ReminderSent,
    SolidarityLetter,
)
from campaign.prisoners.service.consent import named_publicly
from campaign.prisoners.service.prisoners import HELD, can_write, next_birthday

# Public pages show what starts within a month: a letter from abroad takes two to six weeks.
AHEAD_DAYS = 30
# "No contact": no letter logged for this long by anyone (the same as the silence alerts).
SILENCE_DAYS = 60
WRITE_NOW_COUNT = 5
# The derived kinds, beside EventKind's typed ones.
BIRTHDAY, EXPECTED_RELEASE, SILENCE = "birthday", "expected_release", "silence"


@dataclass(frozen=True)
class EventForm:
    """An event as an organiser typed it, checked."""

    kind: EventKind
    starts_on: date
    ends_on: date | None
    note: str
    letter_campaign_id: int | None


@dataclass(frozen=True)
class CampaignLink:
    slug: str
    title: str


@dataclass(frozen=True)
class Occasion:
    """An event as the public sees it, typed or derived; `last_day` None: goes on until ended."""

    prisoner: Prisoner
    kind: str
    starts_on: date
    last_day: date | None
    note: str = ""
    campaign: CampaignLink | None = None
    silent_days: int = 0

    def ongoing(self, today: date) -> bool:
        return self.starts_on <= today


def last_day(event: PrisonerEvent) -> date | None:
    """The event's last day: its end, else none for a hunger strike (it goes on until an
    organiser ends it) and its own day for every other kind."""
    if event.ends_on is not None:
        return event.ends_on
    return None if event.kind == EventKind.hunger_strike else event.starts_on


def _not_over(today: date) -> Any:
    """The condition on events whose last day is today or later."""
    return or_(
        col(PrisonerEvent.ends_on) >= today,
        and_(
            col(PrisonerEvent.ends_on).is_(None),
            or_(
                col(PrisonerEvent.kind) == EventKind.hunger_strike.value,
                col(PrisonerEvent.starts_on) >= today,
            ),
        ),
    )


# -- organisers ------------------------------------------------------------------------------


def events_of(session: Session, prisoner_id: int) -> list[PrisonerEvent]:
    """Every event recorded for the person, the latest start first."""
    query = (
        select(PrisonerEvent)
        .where(PrisonerEvent.prisoner_id == prisoner_id)
        .order_by(col(PrisonerEvent.starts_on).desc(), col(PrisonerEvent.id).desc())
    )
    return list(session.exec(query).all())


def _title_for(campaign: LetterCampaign, organisation_ids: set[int]) -> str:
    """A campaign's title as an organiser may read it: another organisation's draft stays
    theirs, as on the organiser lists."""
    if campaign.organisation_id in organisation_ids or campaign.status != CampaignStatus.draft:
        return campaign.title
    return _("a campaign of another organisation")


def campaign_choices(
    session: Session, organisation_ids: set[int], *, seen_by: set[int], keep: int | None = None
) -> list[tuple[int, str]]:
    """(id, title) of the letter campaigns an organiser may link: those of the organisations
    they campaign in (`organisation_ids`), and the one an event links already (kept when someone
    of another organisation edits it; `seen_by` are all the editor's organisations)."""
    choices = [(c.id, c.title) for c in all_campaigns(session, organisation_ids) if c.id]
    if keep is not None and keep not in {cid for cid, _title in choices}:
        kept = session.get(LetterCampaign, keep)
        if kept is not None:
            choices.append((keep, _title_for(kept, seen_by)))
    return choices


def campaign_titles(
    session: Session, events: list[PrisonerEvent], *, seen_by: set[int]
) -> dict[int, str]:
    """The titles of the campaigns these events link, by id, as an organiser of `seen_by` may
    read them (for the organisers' list)."""
    ids = {e.letter_campaign_id for e in events if e.letter_campaign_id is not None}
    if not ids:
        return {}
    linked = session.exec(select(LetterCampaign).where(col(LetterCampaign.id).in_(ids))).all()
    return {c.id: _title_for(c, seen_by) for c in linked if c.id is not None}


def save_event(
    session: Session,
    *,
    prisoner: Prisoner,
    form: EventForm,
    event: PrisonerEvent | None = None,
    user_id: int | None = None,
) -> PrisonerEvent:
    """Record a new event or change one. A changed date keeps the event's identity, so that
    followers reminded of it are not reminded again."""
    if event is None:
        assert prisoner.id is not None
        event = PrisonerEvent(
            prisoner_id=prisoner.id, kind=form.kind.value, starts_on=form.starts_on
        )
        event.created_by = user_id
    event.kind = form.kind.value
    event.starts_on = form.starts_on
    event.ends_on = form.ends_on
    event.note = form.note
    event.letter_campaign_id = form.letter_campaign_id
    session.add(event)
    session.flush()
    return event


def can_end(event: PrisonerEvent, today: date) -> bool:
    """Whether the event is going on past today, so that ending it today changes something."""
    end = last_day(event)
    return event.starts_on <= today and (end is None or end > today)


def end_event(session: Session, *, event: PrisonerEvent, today: date) -> bool:
    """End a going-on event today (a hunger strike stopped, a trial cut short); False when it is
    not going on."""
    if not can_end(event, today):
        return False
    event.ends_on = today
    session.add(event)
    session.flush()
    return True


def delete_event(session: Session, *, event: PrisonerEvent) -> None:
    """Delete an event and the record of its reminders: should its id ever be given again (SQLite
    can reuse the highest), the new event is reminded like any other."""
    session.execute(
        delete(ReminderSent).where(
            col(ReminderSent.kind) == "event", col(ReminderSent.occasion) == str(event.id)
        )
    )
    session.delete(event)
    session.flush()


# -- the public ------------------------------------------------------------------------------


def _links(session: Session, events: list[PrisonerEvent]) -> dict[int, CampaignLink]:
    ids = {e.letter_campaign_id for e in events if e.letter_campaign_id is not None}
    return {cid: CampaignLink(c.slug, c.title) for cid, c in taking_letters(session, ids).items()}


def _typed(session: Session, today: date, *conditions: Any) -> list[Occasion]:
    """Typed events not over that start within AHEAD_DAYS, of people who may be named."""
    rows = session.exec(
        select(PrisonerEvent, Prisoner)
        .join(Prisoner, col(Prisoner.id) == col(PrisonerEvent.prisoner_id))
        .where(
            named_publicly(),
            col(PrisonerEvent.starts_on) <= today + timedelta(days=AHEAD_DAYS),
            _not_over(today),
            *conditions,
        )
        .order_by(col(PrisonerEvent.starts_on), col(PrisonerEvent.id))
    ).all()
    links = _links(session, [event for event, _p in rows])
    return [
        Occasion(
            prisoner,
            event.kind,
            event.starts_on,
            last_day(event),
            event.note,
            links.get(event.letter_campaign_id) if event.letter_campaign_id else None,
        )
        for event, prisoner in rows
    ]


@dataclass(frozen=True)
class _Derived:
    """A derived event before its person is loaded."""

    prisoner_id: int
    kind: str
    starts_on: date
    last_day: date | None
    silent_days: int = 0


def _derived(
    prisoner_id: int,
    birth: date | None,
    release: date | None,
    last_letter: date | None,
    today: date,
) -> list[_Derived]:
    """What the register and the log tell about a person letters reach."""
    found = []
    horizon = today + timedelta(days=AHEAD_DAYS)
    if birth is not None:
        birthday = next_birthday(birth, today)
        if birthday <= horizon:
            found.append(_Derived(prisoner_id, BIRTHDAY, birthday, birthday))
    if release is not None and today <= release <= horizon:
        found.append(_Derived(prisoner_id, EXPECTED_RELEASE, release, release))
    # Only after a first letter: the list already puts those nobody wrote to first.
    if last_letter is not None and (today - last_letter).days >= SILENCE_DAYS:
        days = (today - last_letter).days
        found.append(_Derived(prisoner_id, SILENCE, last_letter, None, days))
    return found


def _occasion(prisoner: Prisoner, derived: _Derived) -> Occasion:
    return Occasion(
        prisoner,
        derived.kind,
        derived.starts_on,
        derived.last_day,
        silent_days=derived.silent_days,
    )


def _last_letters() -> Any:
    return (
        select(
            col(SolidarityLetter.prisoner_id).label("prisoner_id"),
            func.max(SolidarityLetter.sent_on).label("last"),
        )
        .group_by(col(SolidarityLetter.prisoner_id))
        .subquery()
    )


def prisoner_occasions(session: Session, prisoner: Prisoner, today: date) -> list[Occasion]:
    """The person's events going on or starting within a month, soonest first (the caller has
    checked that the person may be named)."""
    typed = _typed(session, today, PrisonerEvent.prisoner_id == prisoner.id)
    derived: list[Occasion] = []
    if prisoner.id is not None and can_write(prisoner):
        last = session.exec(
            select(func.max(SolidarityLetter.sent_on)).where(
                SolidarityLetter.prisoner_id == prisoner.id
            )
        ).one()
        facts = (prisoner.birth_date, prisoner.release_expected_on, last)
        derived = [_occasion(prisoner, d) for d in _derived(prisoner.id, *facts, today)]
    return sorted(typed + derived, key=lambda o: o.starts_on)


def write_now(session: Session, today: date, *, count: int = WRITE_NOW_COUNT) -> list[Occasion]:
    """The most urgent few for the top of the list, one per person: what organisers recorded
    first (going on before coming up), then birthdays and releases by date, then the longest
    silences."""
    typed = _typed(session, today, col(Prisoner.status).in_(HELD))
    # Optimization: the whole register is read for birthdays, a few dates a person; only the
    # chosen few people are loaded whole.
    last = _last_letters()
    facts = session.exec(
        select(
            col(Prisoner.id),
            col(Prisoner.birth_date),
            col(Prisoner.release_expected_on),
            last.c.last,
        )
        .outerjoin(last, last.c.prisoner_id == col(Prisoner.id))
        .where(
            col(Prisoner.status).in_(HELD),
            col(Prisoner.accepts_letters).is_(True),
            named_publicly(),
        )
    ).all()
    derived = [
        found
        for pid, birth, release, last_letter in facts
        if pid is not None
        for found in _derived(pid, birth, release, last_letter, today)
    ]
    dated = sorted((d for d in derived if d.kind != SILENCE), key=lambda d: d.starts_on)
    silent = sorted((d for d in derived if d.kind == SILENCE), key=lambda d: -d.silent_days)
    ordered: list[Occasion | _Derived] = [*typed, *dated, *silent]
    chosen: list[Occasion | _Derived] = []
    seen: set[int | None] = set()
    for item in ordered:
        person = item.prisoner.id if isinstance(item, Occasion) else item.prisoner_id
        if len(chosen) < count and person not in seen:
            seen.add(person)
            chosen.append(item)
    wanted = {item.prisoner_id for item in chosen if isinstance(item, _Derived)}
    people = {
        p.id: p for p in session.exec(select(Prisoner).where(col(Prisoner.id).in_(wanted))).all()
    }
    return [
        item if isinstance(item, Occasion) else _occasion(people[item.prisoner_id], item)
        for item in chosen
    ]


# -- reminders -------------------------------------------------------------------------------


def due_for_follower(
    session: Session, *, volunteer_id: int, days: int, today: date
) -> list[tuple[PrisonerEvent, Prisoner, CampaignLink | None]]:
    """Typed events of people the volunteer follows that start within `days` and are not over,
    of people who may be named and are held."""
    rows = session.exec(
        select(PrisonerEvent, Prisoner)
        .join(Prisoner, col(Prisoner.id) == col(PrisonerEvent.prisoner_id))
        .join(Follow, col(Follow.prisoner_id) == col(Prisoner.id))
        .where(
            Follow.volunteer_id == volunteer_id,
            col(Prisoner.status).in_(HELD),
            named_publicly(),
            col(PrisonerEvent.starts_on) <= today + timedelta(days=days),
            _not_over(today),
        )
        .order_by(col(PrisonerEvent.starts_on), col(PrisonerEvent.id))
    ).all()
    links = _links(session, [event for event, _p in rows])
    return [(event, prisoner, links.get(event.letter_campaign_id or 0)) for event, prisoner in rows]
