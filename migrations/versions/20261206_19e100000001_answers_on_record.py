"""an index for officials' answers on record (#19)

The campaign page and each official's page count the supporters who said they got an answer;
this index finds those few among a campaign's senders without reading them all.

Revision ID: 19e100000001
Revises: 18d100000001
Create Date: 2026-12-06 23:55:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '19e100000001'
down_revision: str | None = '18d100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('letter_sender', schema=None) as batch_op:
        batch_op.create_index(
            'ix_letter_sender_reply', ['reply_reported', 'campaign_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('letter_sender', schema=None) as batch_op:
        batch_op.drop_index('ix_letter_sender_reply')
