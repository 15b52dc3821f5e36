"""outbox last_error encrypted

A mail server's reply often quotes the recipient's address: the stored reply becomes
ciphertext like the rest of the message (campaign/core/crypto.py). The column stays text.

Revision ID: 5b1e7c2d9a40
Revises: 3a3c0aa3a978
Create Date: 2026-11-25 10:45:00
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5b1e7c2d9a40'
down_revision: str | None = '3a3c0aa3a978'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTEXT = b"outbox_message.last_error"


def upgrade() -> None:
    _rewrite(lambda ring, value: ring.encrypt(value.encode(), CONTEXT))


def downgrade() -> None:
    _rewrite(lambda ring, value: ring.decrypt(value, CONTEXT).decode())


def _rewrite(change: Callable) -> None:
    from campaign.core.crypto import keyring

    bind = op.get_bind()
    t = sa.table("outbox_message", sa.column("id"), sa.column("last_error", sa.Text()))
    last, ring = 0, None
    while rows := bind.execute(
        sa.select(t).where(t.c.id > last, t.c.last_error != "").order_by(t.c.id).limit(1000)
    ).all():
        ring = ring or keyring()
        for row in rows:
            bind.execute(
                sa.update(t).where(t.c.id == row.id).values(last_error=change(ring, row.last_error))
            )
        last = rows[-1].id
