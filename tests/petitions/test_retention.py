"""Retention: RETENTION_MONTHS after a petition closes, its signers' personal data is erased by
the worker; the counts stay, and the audit trail says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.db import months_after, transaction, utcnow
from campaign.core.settings import Settings
from campaign.petitions.models import Petition, PetitionStatus, PetitionTally, Signature
from campaign.petitions.retention import anonymise_due
from tests.factories import add_signature, make_petition


def closed_petition(engine: Engine, settings: Settings, closed: datetime, slug: str) -> Petition:
    petition = make_petition(engine, slug=slug)
    for n in range(3):
        add_signature(engine, settings, petition, email=f"{slug}-{n}@example.org", city="Minsk")
    with transaction(engine) as session:
        row = session.get(Petition, petition.id)
        assert row is not None
        row.status, row.closed_at = PetitionStatus.closed, closed
    return petition


def run(engine: Engine, settings: Settings, now: datetime | None = None) -> int:
    with transaction(engine) as session:
        return anonymise_due(session, settings=settings, now=now)


def signatures_of(engine: Engine, petition: Petition) -> list[Signature]:
    with Session(engine) as session:
        query = select(Signature).where(Signature.petition_id == petition.id)
        return list(session.exec(query).all())


def test_signers_of_a_petition_closed_long_enough_ago_are_erased_and_still_counted(
    engine: Engine, settings: Settings
) -> None:
    old = closed_petition(engine, settings, utcnow() - timedelta(days=200), "old")
    recent = closed_petition(engine, settings, utcnow() - timedelta(days=150), "recent")
    open_one = make_petition(engine, slug="still-open")
    add_signature(engine, settings, open_one, email="open@example.org")

    assert run(engine, settings) == 3
    erased = signatures_of(engine, old)
    assert {(s.name, s.email, s.city, s.ip_hash) for s in erased} == {("", "", "", "")}
    assert all(s.email_hash.startswith("erased-") for s in erased)
    assert all(s.status == "confirmed" for s in erased)
    assert all(s.email.endswith("@example.org") for s in signatures_of(engine, recent))
    assert signatures_of(engine, open_one)[0].email == "open@example.org"
    with Session(engine) as session:
        petition = session.get(Petition, old.id)
        assert petition is not None and petition.signature_count == 3
        assert petition.anonymised_at is not None
        tallies = session.exec(select(PetitionTally).where(PetitionTally.petition_id == old.id))
        assert sum(t.count for t in tallies.all()) == 3
        [event] = session.exec(
            select(AuditEvent).where(AuditEvent.action == "petition.anonymised")
        ).all()
        assert event.target == f"petition:{old.id}" and event.details["count"] == 3

    assert run(engine, settings) == 0  # once only


def test_a_petition_past_its_last_day_counts_from_that_day(
    engine: Engine, settings: Settings
) -> None:
    ended = utcnow() - timedelta(days=190)
    petition = make_petition(engine, slug="ended", ends_at=ended)
    add_signature(engine, settings, petition, email="ended@example.org")
    assert run(engine, settings, now=months_after(ended, 6) - timedelta(minutes=1)) == 0
    assert run(engine, settings, now=months_after(ended, 6)) == 1


def test_months_are_calendar_months() -> None:
    assert months_after(datetime(2026, 8, 31, 12, tzinfo=UTC), 6) == datetime(
        2027, 2, 28, 12, tzinfo=UTC
    )
    assert months_after(datetime(2026, 1, 15, tzinfo=UTC), 12) == datetime(2027, 1, 15, tzinfo=UTC)
