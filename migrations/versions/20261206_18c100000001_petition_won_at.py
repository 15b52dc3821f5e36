"""petition.won_at: when a petition was won (#18)

A won petition (won_at set) has its own filter and section on /petitions and says so in the
open data; petitions before this migration are not won.

Revision ID: 18c100000001
Revises: 18a100000001
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '18c100000001'
down_revision: str | None = '18a100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('petition') as batch:
        batch.add_column(sa.Column('won_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('petition') as batch:
        batch.drop_column('won_at')
