"""Queues that several workers drain at once: due rows are claimed under a worker's token with a
lease, retried with exponential backoff. The outbox (mail/worker.py) and webhook deliveries
(hooks/sender.py) share it; a queue's table has `id`, `status`, `attempts`, `next_attempt_at`,
`claimed_by` and `claimed_until`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, or_, select, update
from sqlmodel import Session, col


def backoff_delay(attempts: int, base: float, cap: float = 6 * 3600, jitter: bool = False) -> float:
    """Seconds to wait before the next try: base, 2 x base, 4 x base ... up to cap.

    With `jitter`, a random part of the delay is taken off (between none and half), so that
    many rows failing together against one receiver do not all come back at the same moment.
    """
    delay = float(min(cap, base * 2 ** max(0, attempts - 1)))
    return delay * (1 - random.random() / 2) if jitter else delay  # noqa: S311 (not a secret)


def due(entity: Any, now: datetime, *, queued: str, sending: str) -> ColumnElement[bool]:
    """Queued rows whose time has come, and rows whose worker's lease has run out."""
    return or_(
        and_(entity.status == queued, entity.next_attempt_at <= now),
        and_(entity.status == sending, entity.claimed_until < now),
    )


def claim(
    engine: Engine,
    entity: Any,
    *,
    token: str,
    lease: timedelta,
    limit: int,
    now: datetime,
    queued: str,
    sending: str,
    where: Sequence[Any] = (),
    order_by: Sequence[Any] = (),
) -> list[int]:
    """Claim up to `limit` due rows for the worker `token`; the ids claimed.

    A SELECT of due ids (FOR UPDATE SKIP LOCKED on PostgreSQL), then an UPDATE of those ids
    that re-checks they are still due. Two statements, not UPDATE ... IN (subquery): PostgreSQL
    may re-run a LIMITed SKIP LOCKED subquery per row and so claim every due row. Re-checking
    "due" makes a second SQLite worker that read the same ids claim none of them; it then looks
    again rather than report an empty queue.
    """
    is_due = due(entity, now, queued=queued, sending=sending)
    candidates = (
        select(col(entity.id))
        .where(*where, is_due)
        .order_by(*(order_by or (col(entity.id),)))
        .limit(limit)
    )
    if engine.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    with Session(engine) as session:
        for _ in range(5):
            ids = [int(row_id) for row_id in session.execute(candidates).scalars().all()]
            if not ids:
                return []
            claimed = session.execute(
                update(entity)
                .where(col(entity.id).in_(ids), is_due)
                .values(
                    status=sending,
                    claimed_by=token,
                    claimed_until=now + lease,
                    attempts=entity.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            session.commit()
            if claimed.rowcount:  # type: ignore[attr-defined]
                return ids
    return ids
