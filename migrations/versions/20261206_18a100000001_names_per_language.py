"""official.forms, prisoner.names, letter_campaign.prisoner_id (#18)

Letters to officials read in one language: an official has a name, title and salutation per
letter language, a prisoner a name per language, and a letter campaign may name the register's
prisoner it is about. Existing officials keep their name and title, read as the forms in their
own language; nothing else is guessed.

Revision ID: 18a100000001
Revises: 17a100000003
Create Date: 2026-12-06 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '18a100000001'
down_revision: str | None = '17a100000003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('official') as batch:
        batch.add_column(sa.Column('forms', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('prisoner') as batch:
        batch.add_column(sa.Column('names', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('letter_campaign') as batch:
        batch.add_column(sa.Column('prisoner_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            'fk_letter_campaign_prisoner_id_prisoner',
            'prisoner',
            ['prisoner_id'],
            ['id'],
            ondelete='SET NULL',
        )


def downgrade() -> None:
    with op.batch_alter_table('letter_campaign') as batch:
        batch.drop_constraint('fk_letter_campaign_prisoner_id_prisoner', type_='foreignkey')
        batch.drop_column('prisoner_id')
    with op.batch_alter_table('prisoner') as batch:
        batch.drop_column('names')
    with op.batch_alter_table('official') as batch:
        batch.drop_column('forms')
