"""The worker's periodic jobs: every domain's, in the order that keeps retention ahead of letter
delivery, each guarded so that one failure stops none, and a failed step stops its own job."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from campaign.core import outage
from campaign.core.periodic import JOBS, PeriodicJob
from campaign.core.settings import Settings
from campaign.site.jobs import housekeeping_jobs


def test_the_worker_runs_every_domains_jobs_in_order() -> None:
    assert list(JOBS) == [
        "expired_sessions",
        "rate_counters",
        "unconfirmed_signatures",
        "scheduled_updates",
        "expired_personal_data",
        "finished_mail",
        "finished_webhooks",
        "letters",
        "letter_followups",
        "volunteer_reminders",
        "transfer_notices",
    ]


def test_a_failing_step_skips_the_rest_of_its_job_and_the_next_job_still_runs(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def outcomes(session: Session, settings: Settings) -> None:
        ran.append("outcomes")
        raise RuntimeError("the mail server's verdicts could not be read")

    def release(session: Session, settings: Settings) -> None:
        ran.append("release")

    def next_job(session: Session, settings: Settings) -> int:
        ran.append("next")
        return 1

    monkeypatch.setitem(
        JOBS, "test_delivery", PeriodicJob("test_delivery", outcomes, then=(release,))
    )
    monkeypatch.setitem(JOBS, "test_next", PeriodicJob("test_next", next_job))
    jobs = housekeeping_jobs(engine, settings)
    results = [job() for job in jobs[-2:]]
    assert ran == ["outcomes", "next"]
    assert results == [None, 1]


def test_a_job_with_a_period_runs_once_within_it(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[int] = []
    job = PeriodicJob("test_hourly", lambda session, settings: ran.append(1), every=3600)
    monkeypatch.setitem(JOBS, "test_hourly", job)
    [bound] = housekeeping_jobs(engine, settings)[-1:]
    bound()
    bound()
    assert ran == [1]


def test_a_job_that_finds_the_database_gone_logs_one_line_and_runs_again_next_time(
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tries: list[int] = []

    def hourly(session: Session, settings: Settings) -> None:
        tries.append(1)
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))

    monkeypatch.setitem(JOBS, "test_gone", PeriodicJob("test_gone", hourly, every=3600))
    monkeypatch.setattr(outage, "quiet", outage.QuietLog(logging.getLogger("campaign.outage")))
    [bound] = housekeeping_jobs(engine, settings)[-1:]
    with caplog.at_level(logging.WARNING):
        bound()
        bound()  # not an hour later: the job did not run, so it is tried again
    assert len(tries) == 2
    lines = [record for record in caplog.records if "database unreachable" in record.message]
    assert len(lines) == 1 and "test_gone" in lines[0].message
    assert not any(record.exc_info for record in caplog.records)  # no traceback
