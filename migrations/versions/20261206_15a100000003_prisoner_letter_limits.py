"""prisoners/volunteers (issue #15, items 3 and 7)

SLOT: placeholder reserved so parallel work keeps one Alembic head; fill in or delete.

Revision ID: 15a100000003
Revises: 15a100000002
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

revision: str = '15a100000003'
down_revision: str | None = '15a100000002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
