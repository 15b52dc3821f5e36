"""Accounts and their login sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from campaign.core.crypto import encrypted_field
from campaign.core.db import utcnow


class Role(StrEnum):
    admin = "admin"
    organiser = "organiser"


class OrgRole(StrEnum):
    """What a member may do in an organisation."""

    owner = "owner"  # members and roles, and everything below
    campaigner = "campaigner"  # content, publishing, updates, counts
    steward = "steward"  # exports and invalidation: supporters' names and addresses
    viewer = "viewer"  # counts and charts


class User(SQLModel, table=True):
    """Someone who logs in to run campaigns; admins also manage other accounts."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.organiser.value, max_length=20)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None
    # Two-factor login: the TOTP secret (encrypted), when it was confirmed, the last step used.
    totp_secret: str = encrypted_field("user_account.totp_secret", optional=True)
    totp_enabled_at: datetime | None = None
    totp_last_step: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value


class LoginSession(SQLModel, table=True):
    """A logged-in browser; the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


class RecoveryCode(SQLModel, table=True):
    """A single-use code that stands in for the authenticator app; only its keyed hash is kept."""

    __tablename__ = "recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None


class Invitation(SQLModel, table=True):
    """An invitation to open an account; the link's token is kept only as its SHA-256."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(default=Role.organiser.value, max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None
    # The organisation the new account joins on accepting, and its role there (none: no
    # membership, an administrator's invitation of another administrator, say).
    organisation_id: int | None = Field(
        default=None, foreign_key="organisation.id", ondelete="CASCADE", index=True
    )
    org_role: str = Field(default="", max_length=12)


class Organisation(SQLModel, table=True):
    """A group that runs campaigns on this install (a human-rights centre, a diaspora group):
    its petitions and letter campaigns are its own, and so are their supporters."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class Membership(SQLModel, table=True):
    """A person's role in an organisation; one person may belong to several."""

    organisation_id: int = Field(
        foreign_key="organisation.id", ondelete="CASCADE", primary_key=True
    )
    user_id: int = Field(
        foreign_key="user_account.id", ondelete="CASCADE", primary_key=True, index=True
    )
    role: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow)


class ApiTokenRole(StrEnum):
    """What a partner API token may read."""

    counts = "counts"  # petitions and their counts
    people = "people"  # also the people who let the organisation contact them, and signatures


class ApiToken(SQLModel, table=True):
    """A key an organisation gives its own systems (a CRM) to read the partner API; the token
    itself is shown once, the table keeps its SHA-256 and a few first characters to recognise
    it by."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=100)
    role: str = Field(default=ApiTokenRole.counts.value, max_length=10)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=16)
    created_by: int | None = Field(default=None, foreign_key="user_account.id", ondelete="SET NULL")
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
