"""What organisers download as CSV: the whole register (in the columns the import reads), and
the letters per person, which never name a volunteer."""

from __future__ import annotations

import csv
import io

from sqlalchemy import case, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from campaign.core.csvcells import cell, csv_lines
from campaign.prisoners.consent_forms import CSV_COLUMNS as CONSENT_COLUMNS
from campaign.prisoners.consent_forms import to_csv_row
from campaign.prisoners.models import LetterState, Prisoner, SolidarityLetter
from campaign.prisoners.service import consent
from campaign.prisoners.service.facilities import facility_names
from campaign.prisoners.service.register import COLUMNS, form_values, list_prisoners


def export_csv(session: Session) -> bytes:
    """The whole register as CSV, in the columns the import reads, with the consent that decides
    now (photos and consent notes stay out)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = [*COLUMNS, *CONSENT_COLUMNS]
    writer.writerow(columns)
    names = facility_names(session)
    for prisoner in list_prisoners(session):
        agreed = consent.latest(session, prisoner.id) if prisoner.id is not None else None
        values = form_values(prisoner, names) | to_csv_row(agreed)
        writer.writerow([cell(values[name]) for name in columns])
    return ("\ufeff" + buffer.getvalue()).encode()


def letters_csv(session: Session) -> bytes:
    """Letters per person: sent, returned, answered, the last one; no volunteer at all."""
    rows = session.execute(
        sa_select(
            col(Prisoner.external_id),
            col(Prisoner.name_latin),
            func.count(col(SolidarityLetter.id)),
            func.sum(case((col(SolidarityLetter.state) == LetterState.returned, 1), else_=0)),
            func.sum(case((col(SolidarityLetter.state) == LetterState.answered, 1), else_=0)),
            func.max(col(SolidarityLetter.sent_on)),
        )
        .outerjoin(SolidarityLetter, col(SolidarityLetter.prisoner_id) == col(Prisoner.id))
        .group_by(col(Prisoner.id), col(Prisoner.external_id), col(Prisoner.name_latin))
        .order_by(col(Prisoner.name_latin))
    ).all()
    header: list[object] = ["external_id", "name", "letters", "returned", "answered", "last_letter"]
    lines: list[list[object]] = [header]
    for external_id, name, n, returned, answered, latest in rows:
        lines.append(
            [
                external_id,
                name,
                n,
                returned or 0,
                answered or 0,
                latest.isoformat() if latest else "",
            ]
        )
    return "\ufeff".encode() + b"".join(csv_lines(lines))
