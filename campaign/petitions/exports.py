"""CSV exports, streamed row by row from the database so memory stays flat at any size."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaign.csvcells import cell
from campaign.petitions.manage import signatures_per_day
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import tallies

BATCH = 2000

SIGNATURE_COLUMNS = [
    "id",
    "name",
    "email",
    "country",
    "city",
    "status",
    "suspect",
    "consent",
    "wants_updates",
    "show_publicly",
    "signed_at",
    "confirmed_at",
    "invalidated_at",
    "invalidation_reason",
]


def _lines(rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() > 64_000:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def signatures_csv(engine: Engine, petition_id: int) -> Iterator[bytes]:
    """Every signature of a petition with its consent flags, in id order, batch by batch."""

    def rows() -> Iterator[list[object]]:
        yield list(SIGNATURE_COLUMNS)
        last_id = 0
        while True:
            # A short session per batch: no transaction stays open while the client reads.
            with Session(engine) as session:
                batch = session.exec(
                    select(Signature)
                    .where(Signature.petition_id == petition_id, col(Signature.id) > last_id)
                    .order_by(col(Signature.id))
                    .limit(BATCH)
                ).all()
                for s in batch:
                    yield [
                        s.id,
                        s.name,
                        s.email,
                        s.country,
                        s.city,
                        s.status,
                        s.suspect,
                        s.consent,
                        s.wants_updates,
                        s.show_publicly,
                        s.created_at,
                        s.confirmed_at,
                        s.invalidated_at,
                        s.invalidation_reason,
                    ]
            if len(batch) < BATCH:
                return
            last_id = batch[-1].id or last_id

    yield "\ufeff".encode()  # a BOM, so spreadsheet programs read the names as UTF-8
    yield from _lines(rows())


def by_day_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per day since the first one."""
    return b"".join(
        _lines([["date", "signatures"], *signatures_per_day(session, petition=petition)])
    )


def by_country_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per country."""
    return b"".join(_lines([["country", "signatures"], *tallies(session, petition)]))
