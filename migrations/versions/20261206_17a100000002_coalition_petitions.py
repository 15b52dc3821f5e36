"""petition_partner, partner_consent: coalition petitions (#17)

A petition may name partner organisations; each partner gets its own "may contact me" box on the
sign form, and a row in partner_consent for every signer who ticked it, so that its data steward
exports only those signers. Nothing existing changes: no petition has partners yet.

Revision ID: 17a100000002
Revises: 17a100000001
Create Date: 2026-12-06 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '17a100000002'
down_revision: str | None = '17a100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'petition_partner',
        sa.Column('petition_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['petition_id'], ['petition.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='RESTRICT'),
        sa.PrimaryKeyConstraint('petition_id', 'organisation_id'),
    )
    op.create_index(
        op.f('ix_petition_partner_organisation_id'),
        'petition_partner',
        ['organisation_id'],
        unique=False,
    )
    op.create_table(
        'partner_consent',
        sa.Column('signature_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['signature_id'], ['signature.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('signature_id', 'organisation_id'),
    )
    op.create_index(
        op.f('ix_partner_consent_organisation_id'),
        'partner_consent',
        ['organisation_id'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_partner_consent_organisation_id'), table_name='partner_consent')
    op.drop_table('partner_consent')
    op.drop_index(op.f('ix_petition_partner_organisation_id'), table_name='petition_partner')
    op.drop_table('petition_partner')
