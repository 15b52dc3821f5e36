"""Volunteers the sign-in form stored before a link was used go when the schema is upgraded,
unless they hold something."""

from __future__ import annotations

import importlib.util
import secrets
from datetime import date
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.db import transaction
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.prisoners.models import Follow, SolidarityLetter, Volunteer
from tests.factories import make_prisoner

MIGRATION = (
    Path(__file__).parents[2]
    / "migrations/versions/20261206_15a100000003_volunteers_never_signed_in_removed.py"
)


def run_migration(engine: Engine) -> None:
    spec = importlib.util.spec_from_file_location("purge_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        module.upgrade()


def test_volunteers_left_by_the_old_sign_in_form_go_unless_they_hold_something(
    engine: Engine, settings: Settings
) -> None:
    prisoner = make_prisoner(engine)
    with transaction(engine) as session:

        def volunteer(email: str, **values: object) -> Volunteer:
            row = Volunteer(
                email=email,
                email_hash=email_index(settings, email),
                login_nonce=secrets.token_urlsafe(12),
                session_nonce=secrets.token_urlsafe(12),
                **values,
            )
            session.add(row)
            session.flush()
            return row

        volunteer("typed-by-someone@example.org")
        writer = volunteer("writer@example.org")
        follower = volunteer("follower@example.org")
        volunteer("named@example.org", display_name="Vera")
        volunteer("reminded@example.org", birthday_reminders=True)
        volunteer("settled@example.org", reminder_days=7)
        session.add(
            SolidarityLetter(prisoner_id=prisoner.id, volunteer_id=writer.id, sent_on=date.today())
        )  # type: ignore[arg-type]
        session.add(Follow(volunteer_id=follower.id, prisoner_id=prisoner.id))  # type: ignore[arg-type]

    run_migration(engine)

    with Session(engine) as session:
        left = sorted(v.email for v in session.exec(select(Volunteer)).all())
    assert left == [
        "follower@example.org",
        "named@example.org",
        "reminded@example.org",
        "settled@example.org",
        "writer@example.org",
    ]
