"""signature: consent to be named to the addressees (issue #15, item 2)

SLOT: placeholder reserved so parallel work keeps one Alembic head; fill in or delete.

Revision ID: 15a100000001
Revises: 5b1e7c2d9a40
Create Date: 2026-12-06 04:30:00
"""

from collections.abc import Sequence

revision: str = '15a100000001'
down_revision: str | None = '5b1e7c2d9a40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
