"""printable postcards to prisoners (#20)

`postcard` keeps each printed card's code (unique: the code alone logs the card), the person,
the facility it was addressed to and, once logged, the letter it became. `postcard_picture`
lists the pictures organisers uploaded for the fronts; the shipped ones live in static/.

Revision ID: 20g100000001
Revises: 20c100000001
Create Date: 2026-12-07 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '20g100000001'
down_revision: str | None = '20c100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'postcard',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('prisoner_id', sa.Integer(), nullable=False),
        sa.Column('facility_id', sa.Integer(), nullable=True),
        sa.Column('picture', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('logged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('letter_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['prisoner_id'], ['prisoner.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['letter_id'], ['solidarity_letter.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_index(op.f('ix_postcard_prisoner_id'), 'postcard', ['prisoner_id'], unique=False)
    op.create_table(
        'postcard_picture',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('file', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('file'),
    )


def downgrade() -> None:
    op.drop_table('postcard_picture')
    op.drop_index(op.f('ix_postcard_prisoner_id'), table_name='postcard')
    op.drop_table('postcard')
