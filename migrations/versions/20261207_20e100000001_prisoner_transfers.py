"""Transfers: a placement's note and when it was recorded; volunteers' transfer notices (#20)

A transfer closes a placement and opens the next on the transfer's date, which may lie in the
past. The worker mails the new address for transfers recorded lately (recorded_at; rows from
before stay NULL and are never mailed about). Volunteers get these notices unless they turn
them off (transfer_notices, on for everyone already signed up).

Revision ID: 20e100000001
Revises: 20c100000001
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "20e100000001"
down_revision: str | None = "20g100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transfer_notices", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("volunteer", schema=None) as batch_op:
        batch_op.drop_column("transfer_notices")
    with op.batch_alter_table("placement", schema=None) as batch_op:
        batch_op.drop_column("recorded_at")
        batch_op.drop_column("note")
