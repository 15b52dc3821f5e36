"""The prisoner register: people, the facilities that hold them, and where each was when."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Text, true
from sqlmodel import Field, SQLModel

from campaign.core.crypto import encrypted_field
from campaign.core.db import utcnow


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


class LettersFrom(StrEnum):
    """Whose letters the prison hands over to the person."""

    anyone = "anyone"
    listed = "listed"  # only senders the person put on a list (relatives, a lawyer)
    unknown = "unknown"


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
    # The name as letters in a language write it where it differs from the two above, e.g.
    # {"be": "Ганна Кавальчук", "pl": "Anna Kowalczuk"}. Replaced whole, never changed in place.
    names: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
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
    # Some prisons now hand over only letters from senders the person listed: a stranger's
    # letter is withheld, so the helper advises otherwise and "pick someone for me" avoids them.
    letters_from: str = Field(
        default=LettersFrom.unknown.value,
        max_length=10,
        sa_column_kwargs={"server_default": LettersFrom.unknown.value},
    )
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
    # What the organiser noted about the transfer (who told them, how sure it is): organisers only.
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # When it was recorded (None: before transfers were tracked): the worker mails the new
    # address for transfers recorded lately, however far back their date lies.
    recorded_at: datetime | None = Field(default_factory=utcnow)


class Volunteer(SQLModel, table=True):
    """Someone who writes to prisoners; known by e-mail (magic link), never shown by name."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = encrypted_field("volunteer.email")
    email_hash: str = Field(max_length=64, unique=True)
    display_name: str = encrypted_field("volunteer.display_name", optional=True)
    locale: str = Field(default="en", max_length=10)
    # Changed at every sign-in link and at sign-out: an old link or cookie stops working.
    login_nonce: str = Field(max_length=32)
    session_nonce: str = Field(max_length=32)
    birthday_reminders: bool = False
    reminder_days: int = Field(default=14, ge=1, le=60)
    followed_only: bool = False
    silence_alerts: bool = False
    # Mail me the new address when someone I follow or wrote to lately is moved (on unless
    # turned off: a letter to the old address is lost).
    transfer_notices: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    created_at: datetime = Field(default_factory=utcnow)


class Follow(SQLModel, table=True):
    """A volunteer keeps an eye on a prisoner: reminders can be limited to them."""

    volunteer_id: int = Field(foreign_key="volunteer.id", ondelete="CASCADE", primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", ondelete="CASCADE", primary_key=True)


class Channel(StrEnum):
    post = "post"
    eletter = "eletter"  # an e-letter service run by the prison system
    relay = "relay"  # a relay organisation prints and posts it


class LetterState(StrEnum):
    sent = "sent"
    returned = "returned"
    answered = "answered"


class SolidarityLetter(SQLModel, table=True):
    """One letter a volunteer sent to a prisoner, and what became of it."""

    __tablename__ = "solidarity_letter"

    id: int | None = Field(default=None, primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", ondelete="CASCADE", index=True)
    volunteer_id: int | None = Field(
        default=None, foreign_key="volunteer.id", ondelete="SET NULL", index=True
    )
    # The facility it went to: statistics per facility survive a transfer.
    facility_id: int | None = Field(default=None, foreign_key="facility.id", ondelete="SET NULL")
    sent_on: date = Field(index=True)
    channel: str = Field(default=Channel.post.value, max_length=10)
    state: str = Field(default=LetterState.sent.value, max_length=10)
    outcome_on: date | None = None
    note: str = encrypted_field("solidarity_letter.note", optional=True)
    created_at: datetime = Field(default_factory=utcnow)


class ReminderSent(SQLModel, table=True):
    """A reminder that went out, so that each goes out once."""

    __tablename__ = "reminder_sent"

    volunteer_id: int = Field(foreign_key="volunteer.id", ondelete="CASCADE", primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", ondelete="CASCADE", primary_key=True)
    # "birthday", "silence", "transfer" or "event"
    kind: str = Field(max_length=10, primary_key=True)
    # The birthday, the last letter, the id of the placement a transfer opened, or the event's
    # id (a moved event is the same occasion).
    occasion: str = Field(max_length=10, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow)


class ConsentState(StrEnum):
    given = "given"
    withdrawn = "withdrawn"


class ConsentFrom(StrEnum):
    person = "person"
    family = "family"
    lawyer = "lawyer"
    other = "other"
    # Rows the upgrade wrote for people already public: organisers are asked to review them.
    before_tracking = "before_tracking"


class ConsentHow(StrEnum):
    in_person = "in_person"
    letter = "letter"
    message = "message"
    lawyer = "lawyer"
    other = "other"


class PrisonerConsent(SQLModel, table=True):
    """Consent to name a prisoner publicly, as recorded: the newest row decides, the rest is
    the history of who gave or withdrew it, when and how."""

    __tablename__ = "prisoner_consent"

    id: int | None = Field(default=None, primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", ondelete="CASCADE", index=True)
    state: str = Field(max_length=10)
    given_by: str = Field(max_length=20)
    given_on: date
    how: str = Field(default=ConsentHow.other.value, max_length=12)
    # It can name family members or a lawyer: personal data, stored encrypted.
    note: str = encrypted_field("prisoner_consent.note", optional=True)
    recorded_by: int | None = Field(
        default=None, foreign_key="user_account.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow)


class EventKind(StrEnum):
    """What an organiser records; birthdays, expected releases and long silences are derived
    from the register and the letter log (service/events.py), never typed."""

    hearing = "hearing"
    appeal = "appeal"
    hunger_strike = "hunger_strike"
    transfer = "transfer"
    release = "release"
    other = "other"


class PrisonerEvent(SQLModel, table=True):
    """A dated event that calls for letters: a hearing, a hunger strike… Without an end date a
    hunger strike goes on until an organiser ends it; any other kind lasts its one day."""

    __tablename__ = "prisoner_event"

    id: int | None = Field(default=None, primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", ondelete="CASCADE", index=True)
    kind: str = Field(max_length=14)
    starts_on: date = Field(index=True)
    ends_on: date | None = None
    # Shown on public pages and in reminder mails: never anything the family asked to keep.
    note: str = Field(default="", max_length=280)
    letter_campaign_id: int | None = Field(
        default=None, foreign_key="letter_campaign.id", ondelete="SET NULL"
    )
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
