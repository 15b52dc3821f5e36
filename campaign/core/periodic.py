"""The contract for work the mail worker does now and then: each domain registers its jobs
(purges, retention, drip delivery, reminders), and `site/jobs.py` runs the registered ones in
the worker process, each in its own transaction. Nothing here knows a domain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from campaign.core.settings import Settings

Step = Callable[[Session, Settings], object]


@dataclass(frozen=True)
class PeriodicJob:
    """One job: `run(session, settings)` in one transaction, every round of the worker's jobs
    (WORKER_JOBS_EVERY seconds), or no more often than `every` seconds when that is longer.
    `then` are further steps, each in a transaction of its own, run only while every step
    before it succeeded (letters are released only after the last outcomes are written)."""

    name: str
    run: Step
    every: float = 0.0
    then: tuple[Step, ...] = ()


JOBS: dict[str, PeriodicJob] = {}


def register(job: PeriodicJob) -> None:
    """Run this job with the others from now on, in the order registered; the same job twice
    changes nothing."""
    known = JOBS.setdefault(job.name, job)
    if known is not job and known != job:
        raise ValueError(f"a periodic job named {job.name!r} is registered already")
