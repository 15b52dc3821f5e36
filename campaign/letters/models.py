"""Officials who can release a prisoner, and the addresses letters reach them at."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from campaign.core.crypto import encrypted_field
from campaign.core.db import utcnow


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
    # How letters in each language name and greet them: {"ru": {"name": …, "title": …,
    # "salutation": "Уважаемый господин Генеральный прокурор"}}. `name` and `title` above are
    # the forms in the official's own `language`. Always replaced whole, never changed in place.
    forms: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
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


class PersonalParagraph(StrEnum):
    none = "none"  # the letter is the template alone
    optional = "optional"
    required = "required"  # a letter that is only the template is refused


class LetterCampaign(SQLModel, table=True):
    """A letter-writing action: whom it targets, how letters may go, the templates per language."""

    __tablename__ = "letter_campaign"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    # The organisation whose campaign it is (accounts' Organisation): its members run it.
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="RESTRICT", index=True)
    title: str = Field(max_length=200)
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default=CampaignStatus.draft.value, max_length=10)
    target_mode: str = Field(default=TargetMode.all.value, max_length=12)
    allow_email: bool = True
    allow_mailto: bool = True
    allow_print: bool = True
    body_locked: bool = False
    personal_paragraph: str = Field(default=PersonalParagraph.optional.value, max_length=10)
    prisoner_name: str = Field(default="", max_length=200)
    prisoner_details: str = Field(default="", max_length=1000)
    # The register's prisoner the letters are about: each letter names them in its language.
    prisoner_id: int | None = Field(default=None, foreign_key="prisoner.id", ondelete="SET NULL")
    petition_id: int | None = Field(default=None, foreign_key="petition.id", ondelete="SET NULL")
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    # Delivery by e-mail trickles out so that no official's inbox (or spam filter) is flooded.
    delivery_paused: bool = False
    hourly_cap: int = Field(default=30, ge=1)
    daily_cap: int = Field(default=200, ge=1)
    send_from_hour: int = Field(default=8, ge=0, le=23)
    send_until_hour: int = Field(default=18, ge=1, le=24)
    timezone: str = Field(default="UTC", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # When the senders' personal data and letters were erased (RETENTION_MONTHS after closing).
    anonymised_at: datetime | None = None


class CampaignTarget(SQLModel, table=True):
    """An official a campaign writes to."""

    __tablename__ = "campaign_target"

    campaign_id: int = Field(foreign_key="letter_campaign.id", ondelete="CASCADE", primary_key=True)
    official_id: int = Field(foreign_key="official.id", ondelete="CASCADE", primary_key=True)
    paused: bool = False


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


class SenderStatus(StrEnum):
    pending = "pending"  # the confirmation link has not been used
    confirmed = "confirmed"


class LetterSender(SQLModel, table=True):
    """A supporter who sends a campaign's letters by e-mail through the platform."""

    __tablename__ = "letter_sender"
    __table_args__ = (
        UniqueConstraint("campaign_id", "email_hash", name="uq_letter_sender_email"),
        Index("ix_letter_sender_followup", "status", "followup_sent", "confirmed_at"),
        # The public record counts those who said an official answered: a few among many.
        Index("ix_letter_sender_reply", "reply_reported", "campaign_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="letter_campaign.id", ondelete="CASCADE")
    name: str = encrypted_field("letter_sender.name")
    email: str = encrypted_field("letter_sender.email")
    email_hash: str = Field(max_length=64)
    city: str = encrypted_field("letter_sender.city", optional=True)
    country: str = Field(default="", max_length=2)
    locale: str = Field(default="en", max_length=10)
    status: str = Field(default=SenderStatus.pending.value, max_length=10)
    token_nonce: str = Field(max_length=32)
    mails_sent: int = 1
    ask_about_reply: bool = True
    followup_sent: bool = False
    reply_reported: str = Field(default="", max_length=3)  # "yes", "no" or not answered
    reply_note: str = encrypted_field("letter_sender.reply_note", optional=True)
    ip_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None


class LetterStatus(StrEnum):
    held = "held"  # waiting for the supporter to confirm their address
    waiting = "waiting"  # confirmed; released to the outbox within the official's caps
    queued = "queued"  # in the outbox
    sent = "sent"
    bounced = "bounced"  # the official's server refused it for good
    cancelled = "cancelled"


class Letter(SQLModel, table=True):
    """One supporter's letter to one official, sent by e-mail through the platform."""

    __table_args__ = (
        UniqueConstraint("sender_id", "official_id", name="uq_letter_sender_official"),
        Index("ix_letter_release", "campaign_id", "official_id", "status", "released_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="letter_campaign.id", ondelete="CASCADE")
    sender_id: int = Field(foreign_key="letter_sender.id", ondelete="CASCADE", index=True)
    official_id: int = Field(foreign_key="official.id", ondelete="CASCADE", index=True)
    language: str = Field(max_length=3)
    subject: str = encrypted_field("letter.subject")
    body: str = encrypted_field("letter.body")
    status: str = Field(default=LetterStatus.held.value, max_length=10)
    to_addr: str = Field(default="", max_length=254)
    outbox_id: int | None = Field(
        default=None, foreign_key="outbox_message.id", ondelete="SET NULL", index=True
    )
    created_at: datetime = Field(default_factory=utcnow)
    released_at: datetime | None = None
    sent_at: datetime | None = None


class LetterEvent(StrEnum):
    """What the campaign's counters count, per official and day."""

    written = "written"  # e-mail letters submitted, confirmed or not
    confirmed = "confirmed"
    sent = "sent"
    bounced = "bounced"
    cancelled = "cancelled"
    mailto = "mailto"  # sent from the supporter's own mail program (counted if they agreed)
    printed = "printed"  # downloaded to print and post (counted if they agreed)


class LetterCount(SQLModel, table=True):
    """A counter per campaign, official, day and event: the dashboard never reads letters."""

    __tablename__ = "letter_count"

    campaign_id: int = Field(foreign_key="letter_campaign.id", ondelete="CASCADE", primary_key=True)
    official_id: int = Field(foreign_key="official.id", ondelete="CASCADE", primary_key=True)
    day: date = Field(primary_key=True)
    event: str = Field(max_length=10, primary_key=True)
    count: int = 0


class OfficialReply(SQLModel, table=True):
    """An official's answer to a campaign, recorded by an organiser and shown on its page."""

    __tablename__ = "official_reply"

    id: int | None = Field(default=None, primary_key=True)
    campaign_id: int = Field(foreign_key="letter_campaign.id", ondelete="CASCADE", index=True)
    official_id: int = Field(foreign_key="official.id", ondelete="CASCADE")
    received_on: date
    summary: str = Field(sa_column=Column(Text, nullable=False))
    file_name: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
