"""Housekeeping the worker runs every minute; each later domain adds its purges here."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine

from campaign.accounts.service import purge_expired_sessions
from campaign.db import transaction
from campaign.ratelimit import DatabaseStorage

log = logging.getLogger("campaign.jobs")


def housekeeping_jobs(engine: Engine) -> list[Callable[[], object]]:
    """The periodic jobs for the worker process, each guarded so one failure stops none."""
    storage = DatabaseStorage(engine)

    def expired_sessions() -> object:
        with transaction(engine) as session:
            return purge_expired_sessions(session)

    return [_guarded(expired_sessions), _guarded(storage.purge_expired)]


def _guarded(job: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return job()
        except Exception:
            log.exception("housekeeping job %s failed", getattr(job, "__name__", job))
            return None

    return run
