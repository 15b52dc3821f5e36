"""volunteer: remove those who hold nothing, left by the sign-in form before (#15, 7)

The sign-in form used to store a volunteer for any address typed into it, and nothing removed
them: /my-data then listed an address whose owner may never have signed in. A volunteer is now
stored only when a sign-in link is used. Rows from before cannot tell whether their link ever
was, so those holding nothing are removed: no letter, no follow, no reminder ever sent, no name
and the reminder settings as they came. Someone who did sign in and did nothing loses only their
session; the next link brings them back.

Nothing to restore on downgrade: the rows held nothing but the address.

Revision ID: 15a100000003
Revises: 15a100000002
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '15a100000003'
down_revision: str | None = '15a100000002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    volunteer = sa.table(
        'volunteer',
        sa.column('id', sa.Integer()),
        sa.column('display_name', sa.Text()),
        sa.column('birthday_reminders', sa.Boolean()),
        sa.column('silence_alerts', sa.Boolean()),
        sa.column('followed_only', sa.Boolean()),
        sa.column('reminder_days', sa.Integer()),
    )
    held = [
        sa.table(name, sa.column('volunteer_id', sa.Integer()))
        for name in ('solidarity_letter', 'follow', 'reminder_sent')
    ]
    op.execute(
        sa.delete(volunteer).where(
            volunteer.c.display_name == '',
            volunteer.c.birthday_reminders == sa.false(),
            volunteer.c.silence_alerts == sa.false(),
            volunteer.c.followed_only == sa.false(),
            volunteer.c.reminder_days == 14,
            *(~sa.exists().where(table.c.volunteer_id == volunteer.c.id) for table in held),
        )
    )


def downgrade() -> None:
    pass
