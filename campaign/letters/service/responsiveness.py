"""Officials' answers on record: per official and campaign, the letters that went to them, the
answers supporters reported and organisers recorded, and how long recorded answers took.

Only published campaigns (open or closed) count, and only numbers leave here: no supporter is
named. Each function reads with a few grouped queries, whatever the number of officials.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from campaign.letters.models import (
    CampaignStatus,
    CampaignTarget,
    Letter,
    LetterCampaign,
    LetterCount,
    LetterEvent,
    LetterSender,
    LetterStatus,
    Official,
    OfficialReply,
)
from campaign.prisoners.service.consent import campaign_may_be_public

PUBLIC = [CampaignStatus.open.value, CampaignStatus.closed.value]
# Letters that went to an official: by e-mail through the site, or by supporters themselves.
THEMSELVES = [LetterEvent.mailto.value, LetterEvent.printed.value]
COUNTED = [LetterEvent.sent.value, *THEMSELVES]
Pair = tuple[int, int]  # (campaign id, official id)


@dataclass
class _Tally:
    sent: int = 0
    themselves: int = 0
    reported: int = 0
    recorded: int = 0
    first_letter: date | None = None
    answered_on: list[date] = field(default_factory=list)

    def days(self) -> list[int]:
        """Days from the first letter to each recorded answer; an answer dated before any
        letter went is not an answer to the letters, and is not timed."""
        if self.first_letter is None:
            return []
        return [d for d in ((on - self.first_letter).days for on in self.answered_on) if d >= 0]


@dataclass(frozen=True)
class Record:
    """What letters to an official and their answers add up to, in one campaign or in all."""

    sent: int  # by e-mail through the site, accepted by the official's mail server
    themselves: int  # from supporters' own mail programs or printed, on their word
    reported: int  # supporters who said "yes" when asked whether they got an answer
    recorded: int  # answers the organisers recorded
    median_days: float | None  # over the recorded answers that can be timed
    enough: bool  # enough letters went for the answers to say something

    @property
    def letters(self) -> int:
        return self.sent + self.themselves


@dataclass(frozen=True)
class Line:
    """One official in one campaign."""

    campaign: LetterCampaign
    official: Official
    record: Record


@dataclass(frozen=True)
class Table:
    lines: list[Line]
    total: Record


@dataclass(frozen=True)
class Answer:
    """An answer an organiser recorded, as the official's page shows it."""

    id: int
    campaign: LetterCampaign
    received_on: date
    summary: str
    file_name: str | None


def _record(tallies: Iterable[_Tally], threshold: int, reported: int | None = None) -> Record:
    tallies = list(tallies)
    days = [d for tally in tallies for d in tally.days()]
    sent = sum(t.sent for t in tallies)
    themselves = sum(t.themselves for t in tallies)
    return Record(
        sent=sent,
        themselves=themselves,
        reported=sum(t.reported for t in tallies) if reported is None else reported,
        recorded=sum(t.recorded for t in tallies),
        median_days=float(median(days)) if days else None,
        enough=sent + themselves >= threshold,
    )


def _public(query: Any, model: Any, **only: int | None) -> Any:
    """The query joined to the campaign of `model`'s rows, limited to published campaigns and
    to the given ids (`campaign_id=…`, `official_id=…`; None leaves a column free)."""
    query = query.join(LetterCampaign, col(LetterCampaign.id) == model.campaign_id).where(
        col(LetterCampaign.status).in_(PUBLIC), campaign_may_be_public()
    )
    for name, value in only.items():
        if value is not None:
            query = query.where(getattr(model, name) == value)
    return query


def _tallies(
    session: Session, *, campaign_id: int | None = None, official_id: int | None = None
) -> dict[Pair, _Tally]:
    """Every (campaign, official) pair on record, published campaigns only: the targets, and
    anyone letters or answers went to or came from (a target removed later keeps its record)."""
    only = {"campaign_id": campaign_id, "official_id": official_id}
    tallies: dict[Pair, _Tally] = defaultdict(_Tally)
    targets = _public(
        select(CampaignTarget.campaign_id, CampaignTarget.official_id),
        CampaignTarget,
        **only,
    )
    for pair in session.exec(targets).all():
        tallies.setdefault(pair, _Tally())  # a target with nothing yet still has its line
    # Five columns: past what sqlmodel's select() is typed for.
    counted = _public(
        sa_select(
            col(LetterCount.campaign_id),
            col(LetterCount.official_id),
            col(LetterCount.event),
            func.sum(LetterCount.count),
            func.min(LetterCount.day),
        ).where(col(LetterCount.event).in_(COUNTED), col(LetterCount.count) > 0),
        LetterCount,
        **only,
    ).group_by(col(LetterCount.campaign_id), col(LetterCount.official_id), col(LetterCount.event))
    for campaign, official, event, n, first in session.execute(counted).all():
        tally = tallies[(campaign, official)]
        if event == LetterEvent.sent:
            tally.sent += int(n)
        else:
            tally.themselves += int(n)
        if tally.first_letter is None or first < tally.first_letter:
            tally.first_letter = first
    for (campaign, official), n in _reported(session, **only).items():
        tallies[(campaign, official)].reported = n
    answers = _public(
        select(OfficialReply.campaign_id, OfficialReply.official_id, OfficialReply.received_on),
        OfficialReply,
        **only,
    )
    for campaign, official, received_on in session.exec(answers).all():
        tally = tallies[(campaign, official)]
        tally.recorded += 1
        tally.answered_on.append(received_on)
    return tallies


def _reported(session: Session, **only: int | None) -> dict[Pair, int]:
    """Supporters who said they got an answer, per official they had a letter sent to (one
    who wrote to several officials counts for each: they were asked about all their letters)."""
    query = _public(
        select(Letter.campaign_id, Letter.official_id, func.count())
        .join(
            LetterSender,
            # The campaign named twice lets the planner start from the few who said "yes".
            (col(LetterSender.id) == col(Letter.sender_id))
            & (col(LetterSender.campaign_id) == col(Letter.campaign_id)),
        )
        .where(LetterSender.reply_reported == "yes", Letter.status == LetterStatus.sent),
        Letter,
        **only,
    ).group_by(col(Letter.campaign_id), col(Letter.official_id))
    return {(c, o): int(n) for c, o, n in session.exec(query).all()}


def _reporters(session: Session, campaign: LetterCampaign) -> int:
    """Supporters of the campaign who said they got an answer, each once."""
    query = select(func.count()).where(
        LetterSender.campaign_id == campaign.id,
        LetterSender.reply_reported == "yes",
        select(Letter.id)
        .where(Letter.sender_id == LetterSender.id, Letter.status == LetterStatus.sent)
        .exists(),
    )
    return int(session.exec(query).one())


def _officials(session: Session, ids: Iterable[int]) -> dict[int, Official]:
    rows = session.exec(select(Official).where(col(Official.id).in_(set(ids)))).all()
    return {o.id: o for o in rows}  # type: ignore[misc]


def campaign_table(session: Session, campaign: LetterCampaign, *, threshold: int) -> Table:
    """The campaign's officials, each with their record in it, by name; an unpublished
    campaign has none."""
    tallies = _tallies(session, campaign_id=campaign.id)
    officials = _officials(session, (official for _, official in tallies))
    lines = sorted(
        (
            Line(campaign, officials[o], _record([tally], threshold))
            for (_, o), tally in tallies.items()
        ),
        key=lambda line: (line.official.name.casefold(), line.official.id),
    )
    reported = _reporters(session, campaign) if tallies else 0
    return Table(lines, _record(tallies.values(), threshold, reported))


def official_record(
    session: Session, official_id: int, *, threshold: int
) -> tuple[Official, Table] | None:
    """The official and the published campaigns that wrote to them, newest first, each with
    its record; None for an official no published campaign names (a draft's stays hidden)."""
    tallies = _tallies(session, official_id=official_id)
    official = session.get(Official, official_id) if tallies else None
    if official is None:
        return None
    campaigns = {
        c.id: c
        for c in session.exec(
            select(LetterCampaign).where(col(LetterCampaign.id).in_({c for c, _ in tallies}))
        ).all()
    }
    lines = [
        Line(campaigns[c], official, _record([tally], threshold))
        for (c, _), tally in sorted(tallies.items(), key=lambda item: -item[0][0])
    ]
    return official, Table(lines, _record(tallies.values(), threshold))


def answers_of(session: Session, official: Official) -> list[Answer]:
    """The answers organisers recorded from the official in published campaigns, newest first."""
    query = _public(select(OfficialReply, LetterCampaign), OfficialReply).where(
        OfficialReply.official_id == official.id
    )
    query = query.order_by(col(OfficialReply.received_on).desc(), col(OfficialReply.id).desc())
    return [
        Answer(r.id, c, r.received_on, r.summary, r.file_name) for r, c in session.exec(query).all()
    ]


def officials_on_record(session: Session, *, threshold: int) -> list[tuple[Official, Record]]:
    """Every official a published campaign writes to, by name, with their record in all."""
    per_official: dict[int, list[_Tally]] = defaultdict(list)
    for (_, official), tally in _tallies(session).items():
        per_official[official].append(tally)
    officials = _officials(session, per_official)
    return sorted(
        ((officials[o], _record(tallies, threshold)) for o, tallies in per_official.items()),
        key=lambda item: (item[0].name.casefold(), item[0].id),
    )
