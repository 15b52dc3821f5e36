"""Jobs the worker runs every minute: purges, and the letters' drip delivery and follow-ups."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from campaign.accounts.service import purge_expired_sessions
from campaign.db import transaction, utcnow
from campaign.letters import delivery, replies
from campaign.letters import retention as letter_retention
from campaign.mail import outbox
from campaign.petitions import retention
from campaign.petitions.service import purge_unconfirmed
from campaign.prisoners import reminders
from campaign.ratelimit import DatabaseStorage
from campaign.settings import Settings

log = logging.getLogger("campaign.jobs")


def housekeeping_jobs(engine: Engine, settings: Settings) -> list[Callable[[], object]]:
    """The periodic jobs for the worker process, each guarded so one failure stops none."""
    storage = DatabaseStorage(engine)

    def expired_sessions() -> object:
        with transaction(engine) as session:
            return purge_expired_sessions(session)

    def unconfirmed_signatures() -> object:
        with transaction(engine) as session:
            return purge_unconfirmed(session, settings=settings)

    def expired_personal_data() -> object:
        with transaction(engine) as session:
            erased = retention.anonymise_due(session, settings=settings)
            return erased + letter_retention.anonymise_due(session, settings=settings)

    def finished_mail() -> object:
        with transaction(engine) as session:
            keep = timedelta(days=settings.outbox_keep_days)
            return outbox.purge_finished(session, older_than=utcnow() - keep)

    def letters() -> object:
        """Write back what the mail server said, then release what the caps allow now."""
        with transaction(engine) as session:
            delivery.record_outcomes(session)
        with transaction(engine) as session:
            return delivery.release_due(session, settings=settings)

    def letter_followups() -> object:
        with transaction(engine) as session:
            delivery.purge_unconfirmed(session, settings=settings)
            return replies.ask_about_replies(session, settings=settings)

    last_reminders = [0.0]

    def volunteer_reminders() -> object:
        """Hourly is often enough: each reminder is due for days, and goes out once."""
        if time.monotonic() - last_reminders[0] < 3600:
            return 0
        last_reminders[0] = time.monotonic()
        with transaction(engine) as session:
            return reminders.send_reminders(session, settings=settings, today=utcnow().date())

    jobs = [
        expired_sessions,
        storage.purge_expired,
        unconfirmed_signatures,
        expired_personal_data,
        finished_mail,
        letters,
        letter_followups,
        volunteer_reminders,
    ]
    return [_guarded(job) for job in jobs]


def _guarded(job: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        try:
            return job()
        except Exception:
            log.exception("housekeeping job %s failed", getattr(job, "__name__", job))
            return None

    return run
