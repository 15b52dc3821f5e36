"""`campaign rotate-keys`: every encrypted value moved under the current key, and the blind
index recomputed under the current SECRET_KEY, batch by batch while the site keeps running."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Engine, Row, Table, Text, column, select, table, update
from sqlalchemy.sql.expression import TableClause

from campaign.core.crypto import EncryptedJSON, EncryptedText, Keyring
from campaign.core.db import transaction
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.site.models import metadata

BATCH = 500
BLIND_INDEX = "email_hash"


@dataclass
class Rotation:
    """What a rotation changed, per table."""

    reencrypted: dict[str, int] = field(default_factory=dict)
    reindexed: dict[str, int] = field(default_factory=dict)

    @property
    def values(self) -> int:
        return sum(self.reencrypted.values())

    @property
    def indexes(self) -> int:
        return sum(self.reindexed.values())


def encrypted_tables() -> Iterator[tuple[Table, list[Column[Any]]]]:
    """Each table with personal data, and its encrypted columns."""
    for model_table in metadata.sorted_tables:
        columns = [
            c for c in model_table.columns if isinstance(c.type, EncryptedText | EncryptedJSON)
        ]
        if columns:
            yield model_table, columns


def rotate_keys(engine: Engine, settings: Settings, ring: Keyring) -> Rotation:
    """Re-encrypt what is not under the ring's current key and refresh stale blind indexes.

    Each row is rewritten only if it still holds what was read, so a row erased or changed
    meanwhile by the running site is left as the site wrote it.
    """
    rotation = Rotation()
    for model_table, columns in encrypted_tables():
        names = [c.name for c in columns]
        indexed = BLIND_INDEX in model_table.columns and "email" in names
        raw = table(
            model_table.name,
            column("id"),
            *(column(name, Text()) for name in names),
            *([column(BLIND_INDEX, Text())] if indexed else []),
        )
        values = indexes = 0
        for batch in _batches(engine, raw):
            with transaction(engine) as session:
                for row in batch:
                    changes = {
                        name: _reencrypt(ring, getattr(row, name), f"{model_table.name}.{name}")
                        for name in names
                        if not ring.is_current(getattr(row, name))
                    }
                    if indexed and row.email:
                        plain = ring.decrypt(row.email, f"{model_table.name}.email".encode())
                        index = email_index(settings, plain.decode())
                        if index != getattr(row, BLIND_INDEX):
                            changes[BLIND_INDEX] = index
                    if not changes:
                        continue
                    unchanged = [raw.c[name] == getattr(row, name) for name in changes]
                    session.execute(
                        update(raw).where(raw.c.id == row.id, *unchanged).values(**changes)
                    )
                    values += len(changes) - (BLIND_INDEX in changes)
                    indexes += BLIND_INDEX in changes
        rotation.reencrypted[model_table.name] = values
        rotation.reindexed[model_table.name] = indexes
    return rotation


def stale_values(engine: Engine, ring: Keyring) -> int:
    """How many stored values are still under a key other than the current one."""
    stale = 0
    for model_table, columns in encrypted_tables():
        raw = table(model_table.name, column("id"), *(column(c.name, Text()) for c in columns))
        for batch in _batches(engine, raw):
            stale += sum(
                not ring.is_current(getattr(row, c.name)) for row in batch for c in columns
            )
    return stale


def _reencrypt(ring: Keyring, stored: str, context: str) -> str:
    return ring.encrypt(ring.decrypt(stored, context.encode()), context.encode())


def _batches(engine: Engine, raw: TableClause) -> Iterator[list[Row[Any]]]:
    last = 0
    while True:
        with engine.connect() as connection:
            rows = list(
                connection.execute(
                    select(raw).where(raw.c.id > last).order_by(raw.c.id).limit(BATCH)
                ).all()
            )
        if not rows:
            return
        yield rows
        last = rows[-1].id
