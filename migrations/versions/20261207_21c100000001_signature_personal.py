"""signature.personal: a signer's name, address and city as one ciphertext (#21)

The export of a million signatures spent a third of its time opening three ciphertexts a row;
`personal` holds the three again, sealed together under its own context ("signature.personal",
campaign/core/crypto.py), so an export opens one. The three columns stay, for everything else
that reads them. Existing rows are filled here, batch by batch, with the keys in DATA_KEYS;
erased rows (all three empty) keep "", and so does a row whose values cannot be decrypted with
DATA_KEYS (the export reads such a row's own columns, as it did before).

Revision ID: 21c100000001
Revises: 20c100000001
Create Date: 2026-12-07 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "21c100000001"
down_revision: str | None = "20f100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000
SEPARATOR = "\x00"
CONTEXT = b"signature.personal"


def upgrade() -> None:
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.add_column(sa.Column("personal", sa.Text(), nullable=False, server_default=""))
    from campaign.core.crypto import DecryptionError, keyring

    bind = op.get_bind()
    t = sa.table(
        "signature",
        sa.column("id", sa.Integer()),
        *(sa.column(name, sa.Text()) for name in ("name", "email", "city", "personal")),
    )
    read = (
        sa.select(t.c.id, t.c.name, t.c.email, t.c.city)
        .where(t.c.id > sa.bindparam("last"))
        .order_by(t.c.id)
        .limit(BATCH)
    )
    write = (
        sa.update(t).where(t.c.id == sa.bindparam("row_id")).values(personal=sa.bindparam("sealed"))
    )
    last, ring = 0, None
    while rows := bind.execute(read, {"last": last}).all():
        ring = ring or keyring()
        sealed = []
        for row in rows:
            try:
                parts = [
                    ring.decrypt(value, f"signature.{name}".encode()).decode() if value else ""
                    for name, value in zip(("name", "email", "city"), row[1:], strict=True)
                ]
            except DecryptionError:
                # Left "": the export reads this row's own columns, as it did before.
                continue
            if any(parts) and not any(SEPARATOR in part for part in parts):
                plain = SEPARATOR.join(parts).encode()
                sealed.append({"row_id": row.id, "sealed": ring.encrypt(plain, CONTEXT)})
        if sealed:
            bind.execute(write, sealed)
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.drop_column("personal")
