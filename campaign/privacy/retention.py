"""What retention shares across domains: erasing the personal data of what closed long enough
ago, what erasing a person from a row means, and marking it erased, in the audit trail too. The
domains say what may be due, when each closed and what to erase (petitions/retention.py,
letters/retention.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import String, cast, literal, update
from sqlmodel import Session

from campaign.core import audit
from campaign.core.db import months_after
from campaign.core.settings import Settings

T = TypeVar("T")


def erase_due(
    session: Session,
    candidates: Iterable[T],
    *,
    kind: str,
    closed_on: Callable[[T, datetime], datetime | None],
    erase: Callable[[T], int],
    settings: Settings,
    now: datetime,
) -> int:
    """Erase what `erase` removes in each candidate closed `retention_months` ago or more, and
    mark it erased (audited as "<kind>:<id>"); how many rows were erased in all."""
    erased = 0
    for obj in candidates:
        closed = closed_on(obj, now)
        if closed is None or months_after(closed, settings.retention_months) > now:
            continue
        count = erase(obj)
        target = f"{kind}:{obj.id}"  # type: ignore[attr-defined]
        mark_erased(
            session, obj, target=target, count=count, months=settings.retention_months, now=now
        )
        erased += count
    session.flush()
    return erased


def forget_people(session: Session, model: type[Any], *where: Any, **also: Any) -> int:
    """Blank who the rows matching `where` were (name, address, city, client hash, link nonce),
    and set `also`; the number of rows. The rows stay, so every count stays right."""
    result = session.execute(
        update(model)
        .where(*where)
        .values(
            name="",
            email="",
            city="",
            ip_hash="",
            token_nonce="",
            # Unique per petition or campaign, and no longer derived from anyone's address.
            email_hash=literal("erased-", String) + cast(model.id, String),
            **also,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


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
