"""organisation, membership; every petition and letter campaign belongs to one (#17)

Campaigns on one install may be run by several groups; each petition and letter campaign now
belongs to an organisation, and people belong to organisations with a role. What exists moves to
one organisation, named by ORGANISATION_NAME in the environment when the migration runs ("Our
campaign" otherwise; rename it later), and every existing account becomes its owner, so that
nobody loses what they could do before.

Revision ID: 17a100000001
Revises: 15a100000003
Create Date: 2026-12-06 09:15:00
"""

import os
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '17a100000001'
down_revision: str | None = '15a100000003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED = ('petition', 'letter_campaign')


def upgrade() -> None:
    op.create_table(
        'organisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'membership',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('organisation_id', 'user_id'),
    )
    op.create_index(op.f('ix_membership_user_id'), 'membership', ['user_id'], unique=False)

    connection = op.get_bind()
    now = datetime.now(UTC)
    name = os.environ.get('ORGANISATION_NAME', '').strip()[:200] or 'Our campaign'
    organisation = sa.table(
        'organisation',
        sa.column('id', sa.Integer()),
        sa.column('name', sa.String()),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    users = connection.execute(sa.text('SELECT id FROM user_account')).scalars().all()
    owned = any(
        connection.execute(sa.text(f'SELECT 1 FROM {table} LIMIT 1')).first() for table in OWNED
    )
    organisation_id = None
    if users or owned:
        organisation_id = connection.execute(
            organisation.insert().values(name=name, created_at=now).returning(organisation.c.id)
        ).scalar_one()
        membership = sa.table(
            'membership',
            sa.column('organisation_id', sa.Integer()),
            sa.column('user_id', sa.Integer()),
            sa.column('role', sa.String()),
            sa.column('created_at', sa.DateTime(timezone=True)),
        )
        if users:
            connection.execute(
                membership.insert(),
                [
                    {'organisation_id': organisation_id, 'user_id': user, 'role': 'owner',
                     'created_at': now}
                    for user in users
                ],
            )

    for table in OWNED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        if organisation_id is not None:
            connection.execute(
                sa.text(f'UPDATE {table} SET organisation_id = :id'), {'id': organisation_id}
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column('organisation_id', existing_type=sa.Integer(), nullable=False)
            batch.create_foreign_key(
                f'fk_{table}_organisation_id_organisation',
                'organisation',
                ['organisation_id'],
                ['id'],
                ondelete='RESTRICT',
            )
            batch.create_index(f'ix_{table}_organisation_id', ['organisation_id'], unique=False)


def downgrade() -> None:
    for table in OWNED:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f'ix_{table}_organisation_id')
            batch.drop_constraint(f'fk_{table}_organisation_id_organisation', type_='foreignkey')
            batch.drop_column('organisation_id')
    op.drop_index(op.f('ix_membership_user_id'), table_name='membership')
    op.drop_table('membership')
    op.drop_table('organisation')
