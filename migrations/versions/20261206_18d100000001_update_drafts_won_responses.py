"""petition_update drafts, languages and schedules; won petitions and official responses (#18)

An update to signers is now written as a draft, previewed, tested and confirmed before it is
sent or scheduled (`status`, `send_at`, `sent_at`; its versions per language are content
versions). A petition may be marked won (`petition.won_at`); a won announcement and an official
response (`responded_on`, an optional PDF `document`) are updates of their own `kind`, shown on
the petition's page. Updates sent before this revision are kept as sent, at their creation time.

Revision ID: 18d100000001
Revises: 18a100000001
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '18d100000001'
down_revision: str | None = '18a100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.add_column(sa.Column('won_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('petition_update', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'kind',
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default='update',
            )
        )
        batch_op.add_column(
            sa.Column(
                'status',
                sqlmodel.sql.sqltypes.AutoString(length=10),
                nullable=False,
                server_default='sent',
            )
        )
        batch_op.add_column(sa.Column('responded_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('document', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column('send_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'updated_at',
                sqlmodel.sql.sqltypes.UTCDateTime(),
                nullable=False,
                server_default=sa.func.current_timestamp(),
            )
        )
        batch_op.add_column(sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE petition_update SET sent_at = created_at, updated_at = created_at")


def downgrade() -> None:
    op.execute("DELETE FROM content_version WHERE kind = 'petition_update'")
    op.execute("DELETE FROM petition_update WHERE status <> 'sent'")
    with op.batch_alter_table('petition_update', schema=None) as batch_op:
        for column in (
            'sent_at', 'updated_at', 'send_at', 'document', 'responded_on', 'status', 'kind'
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.drop_column('won_at')
