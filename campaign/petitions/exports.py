"""CSV exports, streamed row by row from the database so memory stays flat at any size."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaign.csvcells import csv_lines
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
    yield from csv_lines(rows())


def by_day_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per day since the first one."""
    return b"".join(
        csv_lines([["date", "signatures"], *signatures_per_day(session, petition=petition)])
    )


def by_country_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per country."""
    return b"".join(csv_lines([["country", "signatures"], *tallies(session, petition)]))
