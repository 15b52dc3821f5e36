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


class CampaignStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class TargetMode(StrEnum):
    all = "all"  # every targeted official gets a letter from each supporter
    by_country = "by_country"  # one official, from the supporter's country when there is one
    random = "random"  # one official picked at random per supporter


class LetterCampaign(SQLModel, table=True):
    """A letter-writing action: whom it targets, how letters may go, the templates per language."""

    __tablename__ = "letter_campaign"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=200)
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=CampaignStatus.draft.value, max_length=10)
    target_mode: str = Field(default=TargetMode.all.value, max_length=12)
    allow_email: bool = True
    allow_mailto: bool = True
    allow_print: bool = True
    body_locked: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CampaignTarget(SQLModel, table=True):
    """An official a campaign writes to."""

    __tablename__ = "campaign_target"

    campaign_id: int = Field(foreign_key="letter_campaign.id", ondelete="CASCADE", primary_key=True)
    official_id: int = Field(foreign_key="official.id", ondelete="CASCADE", primary_key=True)


class LetterTemplate(SQLModel, table=True):
    """The letter in one language: subject lines (one picked per letter) and a sandboxed body."""

    __tablename__ = "letter_template"
    __table_args__ = (
        UniqueConstraint("campaign_id", "language", name="uq_letter_template_language"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="letter_campaign.id", ondelete="CASCADE", index=True)
    language: str = Field(max_length=3)
    subjects: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
