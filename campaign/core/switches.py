"""Site-wide switches organisers can flip at run time (e.g. pause all signing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ScalarSelect
from sqlmodel import Field, Session, SQLModel, select

from campaign.core.db import utcnow

SIGNING_PAUSED = "signing_paused"


class SiteSetting(SQLModel, table=True):
    """One named switch and when it was last changed."""

    __tablename__ = "site_setting"

    key: str = Field(primary_key=True, max_length=50)
    value: str = Field(default="", max_length=200)
    updated_at: datetime = Field(default_factory=utcnow)


def get_flag(session: Session, key: str) -> bool:
    """Whether the switch is on (off when never set); read once per session."""
    flags: dict[str, bool] = session.info.setdefault("site_flags", {})
    if key not in flags:
        row = session.get(SiteSetting, key)
        flags[key] = row is not None and row.value == "1"
    return flags[key]


def flag_subquery(key: str) -> ScalarSelect[str]:
    """The switch's stored value, to read along with another query (see remember_flag)."""
    return select(SiteSetting.value).where(SiteSetting.key == key).scalar_subquery()


def remember_flag(session: Session, key: str, value: str | None) -> None:
    """Keep a switch's value read along with another query, so get_flag need not ask again."""
    session.info.setdefault("site_flags", {})[key] = value == "1"


def set_flag(session: Session, key: str, on: bool) -> None:
    """Turn the switch on or off."""
    row = session.get(SiteSetting, key) or SiteSetting(key=key)
    row.value = "1" if on else "0"
    session.info.setdefault("site_flags", {})[key] = on
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
