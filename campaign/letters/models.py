"""Officials who can release a prisoner, and the addresses letters reach them at."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaign.db import utcnow


class EmailStatus(StrEnum):
    active = "active"
    bouncing = "bouncing"
    blocked = "blocked"


class Official(SQLModel, table=True):
    """A minister, prosecutor, prison director or ambassador letters are written to."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    institution: str = Field(default="", max_length=300)
    country: str = Field(default="", max_length=2)
    language: str = Field(default="", max_length=3)
    postal_address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OfficialEmail(SQLModel, table=True):
    """One address of an official; a bouncing or blocked address gets no letters."""

    __tablename__ = "official_email"
    __table_args__ = (UniqueConstraint("official_id", "address", name="uq_official_email"),)

    id: int | None = Field(default=None, primary_key=True)
    official_id: int = Field(foreign_key="official.id", ondelete="CASCADE", index=True)
    address: str = Field(max_length=254)
    status: str = Field(default=EmailStatus.active.value, max_length=10)
