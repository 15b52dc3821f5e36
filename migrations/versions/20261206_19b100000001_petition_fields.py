"""petition_field, signature_answer: fields an organiser adds to a petition's sign form (#19)

A petition may ask signers more than the usual name, address, country and city: a text, a
choice or a checkbox, required or not, personal (the answer encrypted in `secret`) or not (in
`value`, which the dashboard counts, and the public breakdown too when `public`). A field with answers is retired (`retired_at`), never
deleted. Nothing existing changes.

Revision ID: 19b100000001
Revises: 18d100000001
Create Date: 2026-12-06 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "19b100000001"
down_revision: str | None = "19c100000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "petition_field",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("petition_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("help", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("retired_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["petition_id"], ["petition.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_petition_field_petition_id"), "petition_field", ["petition_id"], unique=False
    )
    op.create_table(
        "signature_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("field_id", sa.Integer(), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["signature_id"], ["signature.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["field_id"], ["petition_field.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("signature_id", "field_id", name="uq_signature_answer_signature_field"),
    )
    op.create_index(
        op.f("ix_signature_answer_field_id"), "signature_answer", ["field_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_signature_answer_field_id"), table_name="signature_answer")
    op.drop_table("signature_answer")
    op.execute("DELETE FROM content_version WHERE kind = 'petition_field'")
    op.drop_index(op.f("ix_petition_field_petition_id"), table_name="petition_field")
    op.drop_table("petition_field")
