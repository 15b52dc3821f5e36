"""consent to name a prisoner publicly (#20)

`prisoner_consent` keeps every record of consent given or withdrawn; the newest per prisoner
decides whether they are named anywhere public. A new prisoner is hidden until consent is
recorded, but people already public must not vanish on upgrade without notice: each gets a row
"given", from "before_tracking", dated the day of the upgrade, which the organisers' overview
lists for review.

Revision ID: 20c100000001
Revises: 19b100000001
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '20c100000001'
down_revision: str | None = '20d100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'prisoner_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('prisoner_id', sa.Integer(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('given_by', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.Column('how', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['prisoner_id'], ['prisoner.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_prisoner_consent_prisoner_id'), 'prisoner_consent', ['prisoner_id'], unique=False
    )
    # Typed literals, so that each database stores the date and the moment its own way.
    now = datetime.now(UTC)
    prisoner = sa.table('prisoner', sa.column('id', sa.Integer()))
    consent = sa.table(
        'prisoner_consent',
        *(sa.column(name) for name in ('prisoner_id', 'state', 'given_by', 'given_on', 'how')),
        sa.column('note'),
        sa.column('created_at'),
    )
    rows = sa.select(
        prisoner.c.id,
        sa.literal('given'),
        sa.literal('before_tracking'),
        sa.literal(now.date(), sa.Date()),
        sa.literal('other'),
        sa.literal(''),
        sa.literal(now, sqlmodel.sql.sqltypes.UTCDateTime()),
    ).order_by(prisoner.c.id)
    op.execute(
        sa.insert(consent).from_select(
            ['prisoner_id', 'state', 'given_by', 'given_on', 'how', 'note', 'created_at'], rows
        )
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_prisoner_consent_prisoner_id'), table_name='prisoner_consent')
    op.drop_table('prisoner_consent')
