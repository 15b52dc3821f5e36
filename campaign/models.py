"""Every table, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from campaign.accounts.models import LoginSession, User
from campaign.mail.models import OutboxMessage
from campaign.ratelimit import RateCounter

metadata = SQLModel.metadata

__all__ = ["LoginSession", "OutboxMessage", "RateCounter", "User", "metadata"]
