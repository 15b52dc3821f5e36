"""What organisers download of letters: a campaign's counts per official and day, as CSV."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from campaign.core.csvcells import csv_lines
from campaign.letters.models import LetterCampaign, LetterCount, Official
from campaign.letters.service.dashboard import EVENTS


def counts_csv(session: Session, campaign: LetterCampaign) -> bytes:
    """Counts per day and official, one column per event; no supporter data at all."""
    table: dict[tuple[date, int], dict[str, int]] = defaultdict(dict)
    names: dict[int, tuple[str, str]] = {}
    for day, official_id, name, title, event, n in session.execute(
        sa_select(
            col(LetterCount.day),
            col(LetterCount.official_id),
            col(Official.name),
            col(Official.title),
            col(LetterCount.event),
            col(LetterCount.count),
        )
        .join(Official, col(Official.id) == col(LetterCount.official_id))
        .where(col(LetterCount.campaign_id) == campaign.id)
    ).all():
        table[(day, official_id)][event] = n
        names[official_id] = (name, title)
    lines: list[list[object]] = [["date", "official", "title", *EVENTS]]
    for (day, official_id), counts in sorted(
        table.items(), key=lambda item: (item[0][0], names[item[0][1]])
    ):
        lines.append([day.isoformat(), *names[official_id], *(counts.get(e, 0) for e in EVENTS)])
    return b"".join(csv_lines(lines))
