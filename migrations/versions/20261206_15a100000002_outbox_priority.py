"""outbox: low priority for mail over a client's limit (issue #15, item 4)

Mail caused by a client over its limits is queued at priority 1 and sent after every due
message of priority 0; existing rows are normal (0). The partial index holds only the rows a
worker may claim, in claim order (priority, id).

Revision ID: 15a100000002
Revises: 15a100000001
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '15a100000002'
down_revision: str | None = '15a100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAITING = sa.text("status IN ('queued', 'sending')")


def upgrade() -> None:
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('priority', sa.Integer(), server_default='0', nullable=False))
    op.create_index(
        'ix_outbox_claim',
        'outbox_message',
        ['priority', 'id'],
        unique=False,
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index('ix_outbox_claim', table_name='outbox_message')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_column('priority')
