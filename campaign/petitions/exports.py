"""CSV exports, streamed row by row from the database so memory stays flat at any size."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Engine, Text, select, type_coerce
from sqlmodel import Session, col

from campaign.crypto import keyring
from campaign.csvcells import csv_lines, safe_text
from campaign.petitions.manage import signatures_per_day
from campaign.petitions.models import Petition, Signature
from campaign.petitions.service import tallies

BATCH = 2000

# Plain rows, not ORM objects, and the personal fields read as stored and decrypted here in one
# loop: building a million objects, and a column type's layers for three million values, took
# most of an export's time.
COLUMNS = (
    col(Signature.id),
    type_coerce(Signature.name, Text),
    type_coerce(Signature.email, Text),
    col(Signature.country),
    type_coerce(Signature.city, Text),
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
YES_NO = {True: "yes", False: "no"}


def _moment(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def signatures_csv(engine: Engine, petition_id: int) -> Iterator[bytes]:
    """Every signature of a petition with its consent flags, in id order, batch by batch.

    Cells are formatted column by column (what `csvcells.cell` does for any value): text made
    formula-safe, flags as yes/no, moments to the second.
    """
    ring = keyring()
    name, email, city = (ring.text_opener(f"signature.{f}") for f in ("name", "email", "city"))

    def batches() -> Iterator[list[tuple[object, ...]]]:
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
            yield [
                (
                    row[0],
                    safe_text(name(row[1])),
                    safe_text(email(row[2])),
                    safe_text(row[3]),
                    safe_text(city(row[4] or "")),
                    safe_text(row[5]),
                    YES_NO[row[6]],
                    YES_NO[row[7]],
                    YES_NO[row[8]],
                    YES_NO[row[9]],
                    _moment(row[10]),
                    _moment(row[11]),
                    _moment(row[12]),
                    safe_text(row[13] or ""),
                )
                for row in batch
            ]
            if len(batch) < BATCH:
                return
            last_id = batch[-1][0] or last_id

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM, so spreadsheet programs read the names as UTF-8
    writer.writerow(SIGNATURE_COLUMNS)
    for rows in batches():
        writer.writerows(rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def by_day_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per day since the first one."""
    return b"".join(
        csv_lines([["date", "signatures"], *signatures_per_day(session, petition=petition)])
    )


def by_country_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per country."""
    return b"".join(csv_lines([["country", "signatures"], *tallies(session, petition)]))
