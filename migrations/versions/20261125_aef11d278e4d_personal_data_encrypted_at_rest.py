"""personal data encrypted at rest

Names, e-mails, cities and free texts of signers, letter senders and volunteers, and the
outbox's recipients and contexts become text columns holding AES-GCM ciphertext (campaign/core/crypto.py).
Rows already stored are encrypted here with the first key of DATA_KEYS.

Revision ID: aef11d278e4d
Revises: ccf7bda76b4c
Create Date: 2026-11-25 09:29:37.308819
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'aef11d278e4d'
down_revision: str | None = 'ccf7bda76b4c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> column -> the type it had before
COLUMNS: dict[str, dict[str, sa.types.TypeEngine]] = {
    "signature": {"name": sa.String(120), "email": sa.String(254), "city": sa.String(100)},
    "letter_sender": {
        "name": sa.String(120),
        "email": sa.String(254),
        "city": sa.String(100),
        "reply_note": sa.String(2000),
    },
    "letter": {"subject": sa.String(300), "body": sa.Text()},
    "volunteer": {"email": sa.String(254), "display_name": sa.String(80)},
    "solidarity_letter": {"note": sa.String(1000)},
    "outbox_message": {"to_addr": sa.String(320), "context": sa.JSON(), "headers": sa.JSON()},
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, old in columns.items():
                if not isinstance(old, sa.Text):
                    batch_op.alter_column(
                        column,
                        existing_type=old,
                        type_=sa.Text(),
                        existing_nullable=False,
                        postgresql_using=f"{column}::text",
                    )
    from campaign.core.crypto import keyring

    _rewrite(lambda ring, value, context: ring.encrypt(value.encode(), context), keyring)


def downgrade() -> None:
    from campaign.core.crypto import keyring

    _rewrite(lambda ring, value, context: ring.decrypt(value, context).decode(), keyring)
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table) as batch_op:
            for column, old in columns.items():
                if not isinstance(old, sa.Text):
                    batch_op.alter_column(
                        column,
                        existing_type=sa.Text(),
                        type_=old,
                        existing_nullable=False,
                        postgresql_using=f"{column}::{'json' if isinstance(old, sa.JSON) else 'varchar'}",
                    )


def _rewrite(change: Callable, keyring: Callable) -> None:
    """Apply `change` to every non-empty value, table by table, a thousand rows at a time."""
    bind = op.get_bind()
    ring = None
    for table, columns in COLUMNS.items():
        t = sa.table(table, sa.column("id"), *(sa.column(name, sa.Text()) for name in columns))
        last = 0
        while rows := bind.execute(
            sa.select(t).where(t.c.id > last).order_by(t.c.id).limit(1000)
        ).all():
            ring = ring or keyring()
            for row in rows:
                values = {
                    name: change(ring, getattr(row, name), f"{table}.{name}".encode())
                    for name in columns
                    if getattr(row, name)
                }
                if values:
                    bind.execute(sa.update(t).where(t.c.id == row.id).values(**values))
            last = rows[-1].id
