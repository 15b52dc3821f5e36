"""prisoner register: facilities, prisoners, placements

Revision ID: 181ebca92e25
Revises: c55ef3c60218
Create Date: 2026-11-24 22:45:07.079212
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '181ebca92e25'
down_revision: str | None = 'c55ef3c60218'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('facility',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('prisoner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name_latin', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_cyrillic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('photo', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('gender', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('region', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('articles', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('sentence', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('arrested_on', sa.Date(), nullable=True),
    sa.Column('release_expected_on', sa.Date(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('accepts_letters', sa.Boolean(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=True),
    sa.Column('letter_address', sa.Text(), nullable=False),
    sa.Column('interests', sa.Text(), nullable=False),
    sa.Column('writer_notes', sa.Text(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('source_date', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id'),
    sa.UniqueConstraint('slug')
    )
    with op.batch_alter_table('prisoner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prisoner_facility_id'), ['facility_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prisoner_region'), ['region'], unique=False)
        batch_op.create_index(batch_op.f('ix_prisoner_status'), ['status'], unique=False)

    op.create_table('placement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('prisoner_id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['facility_id'], ['facility.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prisoner_id'], ['prisoner.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_placement_prisoner_id'), ['prisoner_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('placement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_placement_prisoner_id'))

    op.drop_table('placement')
    with op.batch_alter_table('prisoner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prisoner_status'))
        batch_op.drop_index(batch_op.f('ix_prisoner_region'))
        batch_op.drop_index(batch_op.f('ix_prisoner_facility_id'))

    op.drop_table('prisoner')
    op.drop_table('facility')
