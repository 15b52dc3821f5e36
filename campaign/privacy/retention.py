"""What retention shares across domains: marking an object's personal data as erased, in the
audit trail too. The domains decide what is due and what to erase (petitions/retention.py,
letters/retention.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from campaign.core import audit


def mark_erased(
    session: Session, obj: Any, *, target: str, count: int, months: int, now: datetime
) -> None:
    """Stamp `anonymised_at` on the object and record who-less erasure in the audit trail."""
    obj.anonymised_at = now
    session.add(obj)
    kind = target.split(":", 1)[0]
    audit.record(
        session, by=None, action=f"{kind}.anonymised", target=target, count=count, months=months
    )
