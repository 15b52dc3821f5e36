"""The one table of content versions: every kind's text in every language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from campaign.core.db import utcnow


class ContentVersion(SQLModel, table=True):
    """The text of one object's translatable fields in one language."""

    __tablename__ = "content_version"

    kind: str = Field(max_length=20, primary_key=True)
    object_id: int = Field(primary_key=True)
    locale: str = Field(max_length=10, primary_key=True)
    fields: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)
