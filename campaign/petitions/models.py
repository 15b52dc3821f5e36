"""Petitions, their signatures, and the counters that make a page view cheap."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint, event, false, inspect, text
from sqlmodel import Field, SQLModel

from campaign.core.crypto import EncryptedText, encrypted_field
from campaign.core.db import utcnow


class PetitionStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"
    archived = "archived"


class SignatureStatus(StrEnum):
    pending = "pending"
    confirmed = "confirmed"
    invalidated = "invalidated"


class Petition(SQLModel, table=True):
    """A demand addressed to someone, with a goal and a counter of confirmed signatures."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    # The organisation whose petition it is (accounts' Organisation): its members run it.
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="RESTRICT", index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", max_length=500)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    addressee: str = Field(default="", max_length=300)
    # Where the addressee holds power (ISO code, "" if unset): signers who gave this country are
    # left out of the hand-over's names unless the organiser insists.
    addressee_country: str = Field(
        default="", max_length=2, sa_column_kwargs={"server_default": ""}
    )
    goal: int = Field(default=1000, ge=1)
    status: str = Field(default=PetitionStatus.draft.value, max_length=10, index=True)
    signing_paused: bool = False
    ends_at: datetime | None = None
    # Counted signatures in all, online and on paper; `paper_count` is the part entered from
    # returned paper sheets (paper.py), so online = signature_count - paper_count.
    signature_count: int = 0
    paper_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    image: str | None = Field(default=None, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = None
    closed_at: datetime | None = None
    won_at: datetime | None = None
    # When the signers' personal data was erased (RETENTION_MONTHS after closing); counts stay.
    anonymised_at: datetime | None = None


class Signature(SQLModel, table=True):
    """One person's signature; it counts once the e-mail link is used and unless it is suspect."""

    __table_args__ = (
        UniqueConstraint("petition_id", "email_hash", name="uq_signature_petition_email"),
        Index("ix_signature_petition_status", "petition_id", "status", "confirmed_at"),
        Index("ix_signature_pending_created", "status", "created_at"),
        # The newest public signers, without walking past everyone who chose not to be shown.
        Index(
            "ix_signature_public",
            "petition_id",
            "confirmed_at",
            sqlite_where=text("show_publicly AND status = 'confirmed' AND NOT suspect"),
            postgresql_where=text("show_publicly AND status = 'confirmed' AND NOT suspect"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", ondelete="CASCADE")
    name: str = encrypted_field("signature.name")
    email: str = encrypted_field("signature.email")
    email_hash: str = Field(max_length=64)
    country: str = Field(max_length=2)
    city: str = encrypted_field("signature.city", optional=True)
    # The name, address and city again, sealed as one value (`personal_of`): the export opens
    # one ciphertext a row instead of three. Written and erased with them; "" when they are
    # empty (erased), and then the export reads the three columns.
    personal: str = Field(
        default="",
        sa_column=Column(
            EncryptedText("signature.personal"), nullable=False, default="", server_default=""
        ),
    )
    consent: bool = False
    wants_updates: bool = False
    show_publicly: bool = False
    # The name and city may go to the addressees. Ticked apart from `consent`, off by default;
    # while pending it is only the sign form's request (anyone may sign with any address), and
    # it stays true on confirming only if the confirmation page's box is ticked too.
    named_in_handover: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    locale: str = Field(default="en", max_length=10)
    status: str = Field(default=SignatureStatus.pending.value, max_length=12)
    suspect: bool = False
    suspect_reason: str = Field(default="", max_length=100)
    ip_hash: str = Field(default="", max_length=64, index=True)
    token_nonce: str = Field(default="", max_length=32)
    mails_sent: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    confirmed_at: datetime | None = None
    invalidated_at: datetime | None = None
    invalidation_reason: str = Field(default="", max_length=300)
    unsubscribed_at: datetime | None = None


PERSONAL_SEPARATOR = "\x00"  # refused in every form (site/app.py), so never typed


def personal_of(name: str, email: str, city: str) -> str:
    """What `Signature.personal` holds for these three: "" when all are empty or one holds
    the separator (the export then reads the three columns)."""
    parts = (name or "", email or "", city or "")
    if not any(parts) or any(PERSONAL_SEPARATOR in part for part in parts):
        return ""
    return PERSONAL_SEPARATOR.join(parts)


@event.listens_for(Signature, "before_insert")
@event.listens_for(Signature, "before_update")
def _seal_personal(mapper: Any, connection: Any, signature: Signature) -> None:
    """A signature written through the ORM keeps `personal` in step with its three columns
    (the sign path's INSERT and the erasure's UPDATE set it themselves)."""
    state = inspect(signature)
    if state.persistent and not any(
        state.attrs[name].history.has_changes() for name in ("name", "email", "city")
    ):
        return
    signature.personal = personal_of(signature.name, signature.email, signature.city)


class PetitionTally(SQLModel, table=True):
    """Confirmed, counted signatures of a petition from one country."""

    __tablename__ = "petition_tally"

    petition_id: int = Field(foreign_key="petition.id", ondelete="CASCADE", primary_key=True)
    country: str = Field(max_length=2, primary_key=True)
    count: int = 0


class UpdateKind(StrEnum):
    update = "update"
    won = "won"  # the petition was won: shown as a banner on its page
    response = "response"  # an official response: shown on the petition's page


class UpdateStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    sent = "sent"


class PetitionUpdate(SQLModel, table=True):
    """A message an organiser writes to the signers who asked for updates: a draft until its
    preview and the number of recipients were seen, then sent or scheduled. Its versions in
    other languages are content versions (kind "petition_update": subject, body)."""

    __tablename__ = "petition_update"

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", ondelete="CASCADE", index=True)
    kind: str = Field(default=UpdateKind.update.value, max_length=10)
    status: str = Field(default=UpdateStatus.draft.value, max_length=10)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    # An official response's date, and its document (a PDF in the upload directory), if any.
    responded_on: date | None = None
    document: str | None = Field(default=None, max_length=64)
    send_at: datetime | None = None
    recipients: int = 0
    sent_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class PetitionPartner(SQLModel, table=True):
    """An organisation that runs a petition with the organisation behind it (a coalition
    petition): named on its pages, with its own "may contact me" box on the sign form."""

    __tablename__ = "petition_partner"

    petition_id: int = Field(foreign_key="petition.id", ondelete="CASCADE", primary_key=True)
    organisation_id: int = Field(
        foreign_key="organisation.id", ondelete="RESTRICT", primary_key=True, index=True
    )


class PartnerConsent(SQLModel, table=True):
    """A signer ticked "<partner> may contact me": that partner's data steward may export them."""

    __tablename__ = "partner_consent"

    signature_id: int = Field(foreign_key="signature.id", ondelete="CASCADE", primary_key=True)
    organisation_id: int = Field(
        foreign_key="organisation.id", ondelete="CASCADE", primary_key=True, index=True
    )


class PaperEntry(StrEnum):
    tally = "tally"  # only a count was entered
    rows = "rows"  # each row of the sheet was typed in


class PaperSheet(SQLModel, table=True):
    """A returned paper signature sheet as entered: its printed number, how many signatures it
    holds, where it was collected, and who entered it. Undone entries stay, marked, so the
    audit trail keeps pointing at them; their number may then be entered again."""

    __tablename__ = "paper_sheet"
    __table_args__ = (
        # A sheet counts once: the number printed on it is refused a second time.
        Index(
            "uq_paper_sheet_number",
            "petition_id",
            "number",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", ondelete="CASCADE", index=True)
    number: int
    count: int
    country: str = Field(max_length=2)
    entry: str = Field(default=PaperEntry.tally.value, max_length=5)
    entered_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    entered_at: datetime = Field(default_factory=utcnow)
    undone_at: datetime | None = None
    undone_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")


class PaperSignature(SQLModel, table=True):
    """One row of a paper sheet typed in: the name and city as written (either may be left
    out), encrypted like an online signer's."""

    __tablename__ = "paper_signature"

    id: int | None = Field(default=None, primary_key=True)
    sheet_id: int = Field(foreign_key="paper_sheet.id", ondelete="CASCADE", index=True)
    petition_id: int = Field(foreign_key="petition.id", ondelete="CASCADE", index=True)
    line: int
    name: str = encrypted_field("paper_signature.name", optional=True)
    country: str = Field(max_length=2)
    city: str = encrypted_field("paper_signature.city", optional=True)


class FieldKind(StrEnum):
    text = "text"
    choice = "choice"
    checkbox = "checkbox"


class PetitionField(SQLModel, table=True):
    """A question an organiser adds to a petition's sign form. Its label, help and choice labels
    have versions per language (content kind "petition_field"). Once signatures carry answers
    it is retired rather than deleted: gone from the form, kept in exports."""

    __tablename__ = "petition_field"

    id: int | None = Field(default=None, primary_key=True)
    petition_id: int = Field(foreign_key="petition.id", ondelete="CASCADE", index=True)
    position: int = 0
    kind: str = Field(max_length=10)
    label: str = Field(max_length=200)
    help: str = Field(default="", max_length=500)
    # The choices, one per line, in the original language; an answer stores the chosen line.
    options: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    required: bool = False
    # Personal answers are encrypted, exported only to the petition's own data stewards and
    # erased with the signer; others may be counted on the dashboard.
    personal: bool = False
    # Its counts (never under PUBLIC_MIN per answer) shown on the public breakdown too.
    public: bool = False
    retired_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def choices(self) -> list[str]:
        return [line for line in self.options.split("\n") if line]


class SignatureAnswer(SQLModel, table=True):
    """A signer's answer to one field: in `value` when the field is not personal, encrypted in
    `secret` when it is."""

    __tablename__ = "signature_answer"
    __table_args__ = (
        UniqueConstraint("signature_id", "field_id", name="uq_signature_answer_signature_field"),
    )

    # Its own id, as every table with encrypted columns has: key rotation walks rows by id.
    id: int | None = Field(default=None, primary_key=True)
    signature_id: int = Field(foreign_key="signature.id", ondelete="CASCADE")
    field_id: int = Field(foreign_key="petition_field.id", ondelete="CASCADE", index=True)
    value: str = Field(default="", max_length=500)
    secret: str = encrypted_field("signature_answer.secret", optional=True)
