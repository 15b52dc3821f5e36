"""paper signature sheets: returned sheets entered as a tally or row by row (#19)

`petition.paper_count` is the part of `signature_count` entered from paper, so the total shown
everywhere already holds it; `paper_sheet` keeps each entered sheet (its printed number is
unique per petition among entries not undone), `paper_signature` the rows typed in, their names
and cities encrypted like online signers'.

Revision ID: 19a100000001
Revises: 18d100000001
Create Date: 2026-12-06 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '19a100000001'
down_revision: str | None = '19e100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('paper_count', sa.Integer(), nullable=False, server_default='0')
        )
    op.create_table(
        'paper_sheet',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('petition_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column('entry', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column('entered_by', sa.Integer(), nullable=True),
        sa.Column('entered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('undone_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('undone_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['entered_by'], ['user_account.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['undone_by'], ['user_account.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_paper_sheet_petition_id'), 'paper_sheet', ['petition_id'], unique=False
    )
    op.create_index(
        'uq_paper_sheet_number',
        'paper_sheet',
        ['petition_id', 'number'],
        unique=True,
        sqlite_where=sa.text('undone_at IS NULL'),
        postgresql_where=sa.text('undone_at IS NULL'),
    )
    op.create_table(
        'paper_signature',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sheet_id', sa.Integer(), nullable=False),
        sa.Column('petition_id', sa.Integer(), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('name', sa.Text(), nullable=False),
        sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column('city', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['sheet_id'], ['paper_sheet.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        op.f('ix_paper_signature_sheet_id'), 'paper_signature', ['sheet_id'], unique=False
    )
    op.create_index(
        op.f('ix_paper_signature_petition_id'), 'paper_signature', ['petition_id'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_paper_signature_petition_id'), table_name='paper_signature')
    op.drop_index(op.f('ix_paper_signature_sheet_id'), table_name='paper_signature')
    op.drop_table('paper_signature')
    op.drop_index('uq_paper_sheet_number', table_name='paper_sheet')
    op.drop_index(op.f('ix_paper_sheet_petition_id'), table_name='paper_sheet')
    op.drop_table('paper_sheet')
    with op.batch_alter_table('petition', schema=None) as batch_op:
        batch_op.drop_column('paper_count')
