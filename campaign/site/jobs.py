"""The worker's periodic jobs: every job the domains registered (core/periodic.py), each in its
own transaction and guarded, so that one failure stops none."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Engine

from campaign.core import outage
from campaign.core.db import transaction
from campaign.core.periodic import JOBS, PeriodicJob
from campaign.core.settings import Settings
from campaign.site.wiring import wire

log = logging.getLogger("campaign.jobs")


def housekeeping_jobs(engine: Engine, settings: Settings) -> list[Callable[[], object]]:
    """The registered jobs, bound to this engine and settings, in the order registered."""
    wire()
    return [_bound(job, engine, settings) for job in JOBS.values()]


def _bound(job: PeriodicJob, engine: Engine, settings: Settings) -> Callable[[], object]:
    last_run = [float("-inf")]

    def run() -> object:
        if time.monotonic() - last_run[0] < job.every:
            return 0
        last_run[0] = time.monotonic()
        result = None
        try:
            for step in (job.run, *job.then):
                with transaction(engine) as session:
                    result = step(session, settings)
        except Exception as exc:
            if outage.unreachable(exc):  # not the job's fault: one line, and again next time
                outage.quiet.report(f"job {job.name}", outage.kind(exc))
                last_run[0] = float("-inf")
            else:
                log.exception("housekeeping job %s failed", job.name)
            return None
        return result

    run.__name__ = job.name
    return run
