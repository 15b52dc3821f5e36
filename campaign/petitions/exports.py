"""CSV exports, streamed row by row from the database so memory stays flat at any size."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, Integer, Text, and_, bindparam, func, select, type_coerce
from sqlmodel import Session, col

from campaign.core.crypto import keyring
from campaign.core.csvcells import csv_lines, safe_text
from campaign.petitions.models import (
    PartnerConsent,
    Petition,
    PetitionField,
    Signature,
    SignatureAnswer,
    SignatureStatus,
)
from campaign.petitions.service.counting import signatures_per_day, tallies
from campaign.petitions.service.fields import fields_of

BATCH = 2000

# Plain values, not ORM objects or typed columns: the personal fields read as stored and
# decrypted here in one loop, flags as they come, moments formatted by the database. Building a
# million objects, a column type's layers for each of ten million values and a datetime for
# each moment took most of an export's time.
PERSONAL = ("name", "email", "city")
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
    "named_in_handover",
    "signed_at",
    "confirmed_at",
    "invalidated_at",
    "invalidation_reason",
]
YES_NO = {True: "yes", False: "no"}


def _moment(column: Any, dialect: str) -> Any:
    """A timestamp column as `YYYY-MM-DD HH:MM:SS` in UTC, or '' when NULL, formatted by the
    database (on PostgreSQL in UTC whatever the session's time zone, which a pooler may not
    pass on; SQLite stores UTC as text in this layout)."""
    if dialect == "postgresql":
        formatted = func.to_char(func.timezone("UTC", column), "YYYY-MM-DD HH24:MI:SS")
    else:
        formatted = func.substr(type_coerce(column, Text), 1, 19)
    return func.coalesce(formatted, "")


def _columns(dialect: str) -> tuple[Any, ...]:
    def plain(column: Any) -> Any:
        return type_coerce(column, Text)

    return (
        col(Signature.id),
        plain(Signature.name),
        plain(Signature.email),
        plain(Signature.country),
        plain(Signature.city),
        plain(Signature.status),
        type_coerce(Signature.suspect, Integer),
        type_coerce(Signature.consent, Integer),
        type_coerce(Signature.wants_updates, Integer),
        type_coerce(Signature.show_publicly, Integer),
        type_coerce(Signature.named_in_handover, Integer),
        _moment(Signature.created_at, dialect),
        _moment(Signature.confirmed_at, dialect),
        _moment(Signature.invalidated_at, dialect),
        plain(Signature.invalidation_reason),
    )


def signatures_csv(
    engine: Engine, petition_id: int, only: Any = None, *, personal: bool = True
) -> Iterator[bytes]:
    """Every signature of a petition with its consent flags and a column per field of its own
    (or only those `only`, a condition, selects), in id order, batch by batch; `personal`:
    the answers to personal fields too.

    Cells are formatted column by column (what `csvcells.cell` does for any value): text made
    formula-safe, flags as yes/no (PostgreSQL gives booleans, SQLite 0 and 1: the same keys),
    moments to the second.
    """
    ring = keyring()
    with Session(engine) as session:
        own = [f for f in fields_of(session, petition_id) if personal or not f.personal]
    answers = _answers_reader(engine, own)
    name, email, city = (ring.text_opener(f"signature.{field}") for field in PERSONAL)
    query = (
        select(*_columns(engine.dialect.name))
        .where(col(Signature.petition_id) == petition_id, col(Signature.id) > bindparam("last"))
        .order_by(col(Signature.id))
        .limit(BATCH)
    )
    if only is not None:
        query = query.where(only)

    blank = ("",) * len(own)

    def batches() -> Iterator[list[tuple[object, ...]]]:
        last_id = 0
        while True:
            # A short session per batch: no transaction stays open while the client reads.
            with engine.connect() as connection:
                batch = connection.execute(query, {"last": last_id}).all()
            given = answers(batch[0][0], batch[-1][0]) if batch and own else {}
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
                    YES_NO[row[10]],
                    row[11],
                    row[12],
                    row[13],
                    safe_text(row[14] or ""),
                    *given.get(row[0], blank),
                )
                for row in batch
            ]
            if len(batch) < BATCH:
                return
            last_id = batch[-1][0] or last_id

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM, so spreadsheet programs read the names as UTF-8
    writer.writerow([*SIGNATURE_COLUMNS, *(safe_text(f.label) for f in own)])
    for rows in batches():
        writer.writerows(rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def _answers_reader(
    engine: Engine, own: list[PetitionField]
) -> Callable[[int, int], dict[int, tuple[str, ...]]]:
    """A function giving the answers of the signatures with ids from first to last, as a row of
    cells per signature in the fields' order: one query per batch, personal ones decrypted."""
    column = {f.id: i for i, f in enumerate(own)}
    opened = keyring().text_opener("signature_answer.secret")
    query = select(
        col(SignatureAnswer.signature_id),
        col(SignatureAnswer.field_id),
        type_coerce(SignatureAnswer.value, Text),
        type_coerce(SignatureAnswer.secret, Text),
    ).where(
        col(SignatureAnswer.field_id).in_(list(column)),
        col(SignatureAnswer.signature_id).between(bindparam("first"), bindparam("last")),
    )

    def read(first: int, last: int) -> dict[int, tuple[str, ...]]:
        cells: dict[int, list[str]] = {}
        with engine.connect() as connection:
            rows = connection.execute(query, {"first": first, "last": last}).all()
        for signature_id, field_id, value, secret in rows:
            row = cells.setdefault(signature_id, [""] * len(own))
            row[column[field_id]] = safe_text(opened(secret) if secret else value)
        return {signature_id: tuple(row) for signature_id, row in cells.items()}

    return read


def host_consenting() -> Any:
    """On a coalition petition, the signers the host organisation may contact: its own box."""
    return col(Signature.wants_updates).is_(True)


def partner_consenting(organisation_id: int) -> Any:
    """The counted signers who ticked a partner's "may contact me" box."""
    ticked = select(col(PartnerConsent.signature_id)).where(
        col(PartnerConsent.organisation_id) == organisation_id
    )
    return and_(
        col(Signature.status) == SignatureStatus.confirmed.value,
        col(Signature.suspect).is_(False),
        col(Signature.id).in_(ticked),
    )


def by_day_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per day since the first one."""
    return b"".join(
        csv_lines([["date", "signatures"], *signatures_per_day(session, petition=petition)])
    )


def by_country_csv(session: Session, petition: Petition) -> bytes:
    """Counted signatures per country."""
    return b"".join(csv_lines([["country", "signatures"], *tallies(session, petition)]))
