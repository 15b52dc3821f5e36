"""prisoner_event: dated events that call for letters (#20)

Hearings, appeals, hunger strikes, transfers and releases an organiser records per prisoner,
with a short public note and, optionally, the letter campaign to officials it calls for.

Revision ID: 20f100000001
Revises: 20c100000001
Create Date: 2026-12-07 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "20f100000001"
down_revision: str | None = "20e100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "prisoner_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prisoner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=14), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=280), nullable=False),
        sa.Column("letter_campaign_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["prisoner_id"], ["prisoner.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["letter_campaign_id"], ["letter_campaign.id"], ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_prisoner_event_prisoner_id"), "prisoner_event", ["prisoner_id"], unique=False
    )
    op.create_index(
        op.f("ix_prisoner_event_starts_on"), "prisoner_event", ["starts_on"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_prisoner_event_starts_on"), table_name="prisoner_event")
    op.drop_index(op.f("ix_prisoner_event_prisoner_id"), table_name="prisoner_event")
    op.drop_table("prisoner_event")
