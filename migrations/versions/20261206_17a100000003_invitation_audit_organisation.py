"""invitation.organisation_id/org_role, audit_event.organisation_id (#17)

An invitation now names the organisation its guest joins and their role there; each audit event
records the organisation it is about, so that an organisation's owners can read their own trail.
Events recorded before this migration keep no organisation (they are in the administrators'
trail, as before).

Revision ID: 17a100000003
Revises: 17a100000002
Create Date: 2026-12-06 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '17a100000003'
down_revision: str | None = '17a100000002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('invitation') as batch:
        batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                'org_role',
                sqlmodel.sql.sqltypes.AutoString(length=12),
                nullable=False,
                server_default='',
            )
        )
        batch.create_index(batch.f('ix_invitation_organisation_id'), ['organisation_id'])
        batch.create_foreign_key(
            'fk_invitation_organisation_id_organisation',
            'organisation',
            ['organisation_id'],
            ['id'],
            ondelete='CASCADE',
        )
    with op.batch_alter_table('audit_event') as batch:
        batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch.create_index(batch.f('ix_audit_event_organisation_id'), ['organisation_id'])


def downgrade() -> None:
    with op.batch_alter_table('audit_event') as batch:
        batch.drop_index(batch.f('ix_audit_event_organisation_id'))
        batch.drop_column('organisation_id')
    with op.batch_alter_table('invitation') as batch:
        batch.drop_constraint('fk_invitation_organisation_id_organisation', type_='foreignkey')
        batch.drop_index(batch.f('ix_invitation_organisation_id'))
        batch.drop_column('org_role')
        batch.drop_column('organisation_id')
