"""The prisoner register: people, the facilities that hold them, and where each was when."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from campaign.db import utcnow


class PrisonerStatus(StrEnum):
    detained = "detained"  # held before or during trial
    sentenced = "sentenced"
    released = "released"
    deceased = "deceased"


class Gender(StrEnum):
    female = "female"
    male = "male"
    other = "other"
    unknown = ""


class Facility(SQLModel, table=True):
    """A prison, colony or detention centre, with the address letters go to."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    country: str = Field(default="BY", max_length=2)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class Prisoner(SQLModel, table=True):
    """A political prisoner, as the register knows them, with the source of that knowledge."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True)
    slug: str = Field(max_length=80, unique=True)
    name_latin: str = Field(max_length=200)
    name_cyrillic: str = Field(default="", max_length=200)
    photo: str | None = Field(default=None, max_length=64)
    gender: str = Field(default=Gender.unknown.value, max_length=10)
    birth_date: date | None = None
    region: str = Field(default="", max_length=100, index=True)
    articles: str = Field(default="", max_length=300)
    sentence: str = Field(default="", max_length=300)
    arrested_on: date | None = None
    release_expected_on: date | None = None
    status: str = Field(default=PrisonerStatus.sentenced.value, max_length=10, index=True)
    accepts_letters: bool = True
    facility_id: int | None = Field(
        default=None, foreign_key="facility.id", ondelete="SET NULL", index=True
    )
    # Exactly as it must go on the envelope: Cyrillic, the person's name in the dative case.
    letter_address: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    interests: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    writer_notes: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source: str = Field(default="", max_length=300)
    source_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Placement(SQLModel, table=True):
    """Where a prisoner was held from a date: a transfer closes one placement and opens the next."""

    id: int | None = Field(default=None, primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", ondelete="CASCADE", index=True)
    facility_id: int = Field(foreign_key="facility.id", ondelete="CASCADE")
    since: date
    until: date | None = None
