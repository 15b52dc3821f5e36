"""Where the domains fill the shared registries (content kinds, privacy sections, retention
rules, periodic jobs, how audit entries read): called by create_app and by the worker's jobs
before they run anything (not by every command: importing every domain costs a command half a
second). Adding a domain means adding its `registrations.register` here, nowhere else."""

from __future__ import annotations

from sqlmodel import Session

from campaign.accounts import jobs as account_jobs
from campaign.accounts import trail as accounts_trail
from campaign.content import trail as content_trail
from campaign.core import periodic
from campaign.core.ratelimit import purge_expired_counters
from campaign.core.settings import Settings
from campaign.hooks import jobs as hook_jobs
from campaign.hooks import trail as hooks_trail
from campaign.letters import registrations as letters
from campaign.letters import trail as letters_trail
from campaign.mail import jobs as mail_jobs
from campaign.petitions import registrations as petitions
from campaign.petitions import trail as petitions_trail
from campaign.prisoners import registrations as prisoners
from campaign.prisoners import trail as prisoners_trail
from campaign.privacy import trail as privacy_trail
from campaign.privacy.registry import anonymise_all_due

_wired: list[bool] = []


def wire() -> None:
    """Fill every registry; calling it again changes nothing."""
    if _wired:
        return
    _wired.append(True)
    # In this order the worker runs the jobs: retention before letters are released.
    periodic.register(periodic.PeriodicJob("expired_sessions", account_jobs.expired_sessions))
    periodic.register(periodic.PeriodicJob("rate_counters", _rate_counters))
    petitions.register()
    periodic.register(periodic.PeriodicJob("expired_personal_data", anonymise_all_due_job))
    periodic.register(periodic.PeriodicJob("finished_mail", mail_jobs.finished_mail))
    periodic.register(periodic.PeriodicJob("finished_webhooks", hook_jobs.finished_deliveries))
    letters.register()
    prisoners.register()
    # How each package's audit entries read as sentences, and how their targets are named.
    for trail in (
        accounts_trail,
        content_trail,
        hooks_trail,
        privacy_trail,
        petitions_trail,
        letters_trail,
        prisoners_trail,
    ):
        trail.register()


def _rate_counters(session: Session, settings: Settings) -> int:
    return purge_expired_counters(session)


def anonymise_all_due_job(session: Session, settings: Settings) -> int:
    """Every domain's retention rule, in one transaction."""
    return anonymise_all_due(session, settings=settings)
