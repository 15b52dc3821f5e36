"""outbox: low priority for mail over a client's limit (issue #15, item 4)

SLOT: placeholder reserved so parallel work keeps one Alembic head; fill in or delete.

Revision ID: 15a100000002
Revises: 15a100000001
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

revision: str = '15a100000002'
down_revision: str | None = '15a100000001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
