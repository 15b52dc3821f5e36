"""CSV exports, streamed row by row from the database so memory stays flat at any size."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from campaign.csvcells import csv_lines
from campaign.petitions.manage import signatures_per_day
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import tallies

BATCH = 2000

# Plain rows, not ORM objects: building a million objects took most of an export's time.
COLUMNS = (
    col(Signature.id),
    col(Signature.name),
    col(Signature.email),
    col(Signature.country),
    col(Signature.city),
    col(Signature.status),
    col(Signature.suspect),
    col(Signature.consent),
    col(Signature.wants_updates),
    col(Signature.show_publicly),
    col(Signature.created_at),
    col(Signature.confirmed_at),
    col(Signature.invalidated_at),
    col(Signature.invalidation_reason),
)
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

    def rows() -> Iterator[Sequence[object]]:
        yield list(SIGNATURE_COLUMNS)
        last_id = 0
        while True:
            # A short session per batch: no transaction stays open while the client reads.
            with engine.connect() as connection:
                batch = connection.execute(
                    select(*COLUMNS)
                    .where(col(Signature.petition_id) == petition_id, col(Signature.id) > last_id)
                    .order_by(col(Signature.id))
                    .limit(BATCH)
                ).all()
            yield from batch
            if len(batch) < BATCH:
                return
            last_id = batch[-1][0] or last_id

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
