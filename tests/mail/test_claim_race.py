"""Two workers claiming the outbox at the same moment never take the same row, on both
databases: each runs in its own thread with its own connections, and both are held just before
their claiming UPDATE until both have chosen their rows. A worker that waited for the other's
locked rows instead of skipping them (PostgreSQL) never reaches that point: the barrier breaks
and the test fails."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.mail.models import MailStatus, OutboxMessage
from campaign.mail.worker import MailWorker
from tests.factories import queue_mail
from tests.petitions.test_confirm_race import held_together


def is_claiming(text: str) -> bool:
    return text.lstrip().upper().startswith("UPDATE OUTBOX") and "claimed_by" in text


def test_two_workers_claiming_at_the_same_moment_never_take_the_same_row(
    engine: Engine, settings: Settings
) -> None:
    total, batch = 60, 10
    queue_mail(engine, total)
    workers = [MailWorker(engine, settings, batch_size=batch) for _ in range(2)]
    start = threading.Barrier(2, timeout=15)

    def claim_all(worker: MailWorker) -> list[int]:
        start.wait()
        taken: list[int] = []
        while rows := worker.claim():
            assert len(rows) <= batch
            taken += [row.id for row in rows if row.id is not None]
        return taken

    with held_together(engine, 2, is_claiming), ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(claim_all, workers)
    assert first and second, "both workers should have claimed rows"
    assert set(first).isdisjoint(second)
    assert len(first) == len(set(first)) and len(second) == len(set(second))
    assert sorted(first + second) == sorted(set(first) | set(second))
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
    assert len(rows) == total == len(first) + len(second)
    owner = {w.token: set(ids) for w, ids in zip(workers, (first, second), strict=True)}
    for row in rows:
        assert row.status == MailStatus.sending and row.attempts == 1
        assert row.id in owner[row.claimed_by]  # type: ignore[index]


def test_a_sent_or_failed_message_is_never_claimed_again_whatever_its_old_lease(
    engine: Engine, settings: Settings
) -> None:
    queue_mail(engine, 3)
    worker = MailWorker(engine, settings)
    taken = worker.claim()
    assert len(taken) == 3
    with Session(engine) as session:
        for row, status in zip(
            session.exec(select(OutboxMessage)).all(),
            [MailStatus.sent, MailStatus.failed, MailStatus.sending],
            strict=True,
        ):
            row.status = status
            row.claimed_until = utcnow() - timedelta(minutes=5)
            session.add(row)
        session.commit()
    again = MailWorker(engine, settings).claim()
    assert [row.status for row in again] == [MailStatus.sending]  # only the abandoned one
    with Session(engine) as session:
        statuses = sorted(row.status for row in session.exec(select(OutboxMessage)).all())
    assert statuses == sorted([MailStatus.sent, MailStatus.failed, MailStatus.sending])
