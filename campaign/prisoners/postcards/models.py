"""A printed postcard, with the code that logs it, and the pictures organisers added."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from campaign.core.db import utcnow


class Postcard(SQLModel, table=True):
    """One card as printed: for whom, to which facility, and the letter it became once logged."""

    id: int | None = Field(default=None, primary_key=True)
    # Eight characters of Crockford's base 32, stored without the dash printed in the middle.
    code: str = Field(max_length=8, unique=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", ondelete="CASCADE", index=True)
    # Where the card was addressed when printed: a transfer afterwards does not move it.
    facility_id: int | None = Field(default=None, foreign_key="facility.id", ondelete="SET NULL")
    picture: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    # Set once, by the one request that logs the card: a second use finds it set.
    logged_at: datetime | None = None
    letter_id: int | None = Field(
        default=None, foreign_key="solidarity_letter.id", ondelete="SET NULL"
    )


class PostcardPicture(SQLModel, table=True):
    """A picture an organiser uploaded for the fronts, re-encoded without metadata."""

    __tablename__ = "postcard_picture"

    id: int | None = Field(default=None, primary_key=True)
    file: str = Field(max_length=64, unique=True)  # a name made by core.images.store_image
    uploaded_by: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)
