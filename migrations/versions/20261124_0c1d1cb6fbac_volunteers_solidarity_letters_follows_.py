"""volunteers, solidarity letters, follows, reminders

Revision ID: 0c1d1cb6fbac
Revises: 181ebca92e25
Create Date: 2026-11-24 22:49:10.825366
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0c1d1cb6fbac'
down_revision: str | None = '181ebca92e25'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('email_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('login_nonce', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('session_nonce', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('birthday_reminders', sa.Boolean(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('followed_only', sa.Boolean(), nullable=False),
    sa.Column('silence_alerts', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email_hash')
    )
    op.create_table('follow',
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('prisoner_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['prisoner_id'], ['prisoner.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'prisoner_id')
    )
    op.create_table('reminder_sent',
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('prisoner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('occasion', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['prisoner_id'], ['prisoner.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'prisoner_id', 'kind', 'occasion')
    )
    op.create_table('solidarity_letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prisoner_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['prisoner_id'], ['prisoner.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('solidarity_letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_solidarity_letter_prisoner_id'), ['prisoner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_solidarity_letter_sent_on'), ['sent_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_solidarity_letter_volunteer_id'), ['volunteer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('solidarity_letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_solidarity_letter_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_solidarity_letter_sent_on'))
        batch_op.drop_index(batch_op.f('ix_solidarity_letter_prisoner_id'))

    op.drop_table('solidarity_letter')
    op.drop_table('reminder_sent')
    op.drop_table('follow')
    op.drop_table('volunteer')
