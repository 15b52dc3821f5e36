"""signature: consent to be named to the addressees; petition: the addressee's country (#15, 2)

Signatures made before the box existed have not agreed (false); petitions have no addressee
country until an organiser sets one ("").

Revision ID: 15a100000001
Revises: 5b1e7c2d9a40
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "15a100000001"
down_revision: str | None = "5b1e7c2d9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("named_in_handover", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("petition", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "addressee_country",
                sqlmodel.sql.sqltypes.AutoString(length=2),
                server_default="",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("petition", schema=None) as batch_op:
        batch_op.drop_column("addressee_country")
    with op.batch_alter_table("signature", schema=None) as batch_op:
        batch_op.drop_column("named_in_handover")
