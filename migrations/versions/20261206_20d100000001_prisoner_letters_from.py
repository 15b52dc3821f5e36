"""prisoner.letters_from: whose letters the prison hands over (#20)

Some prisoners now receive mail only from senders they listed (relatives, a lawyer); the register
records "anyone", "listed" or "unknown" (the honest value for everyone recorded before).

Revision ID: 20d100000001
Revises: 19b100000001
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "20d100000001"
down_revision: str | None = "19b100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "letters_from",
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default="unknown",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("prisoner", schema=None) as batch_op:
        batch_op.drop_column("letters_from")
