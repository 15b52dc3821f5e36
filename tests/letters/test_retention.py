"""Retention for letters: RETENTION_MONTHS after a campaign closes, its senders' personal data and
the letters' texts are erased; the counts per official and day stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.audit import AuditEvent
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.letters.models import Letter, LetterCampaign, LetterSender
from campaign.letters.retention import anonymise_due
from campaign.letters.service import dashboard
from campaign.mail.models import OutboxMessage
from tests.factories import make_letter_campaign
from tests.letters.test_delivery import confirm_all, release, write


def test_a_campaign_closed_long_enough_ago_forgets_its_senders_but_not_its_counts(
    engine: Engine, settings: Settings
) -> None:
    old = make_letter_campaign(engine)
    write(engine, settings, old, "ales@example.org", name="Ales Writer")
    confirm_all(engine, settings, old)
    release(engine, settings)
    recent = make_letter_campaign(engine)
    write(engine, settings, recent, "olga@example.org", name="Olga Writer")
    with transaction(engine) as session:
        for campaign, days in ((old, 200), (recent, 30)):
            row = session.get(LetterCampaign, campaign.id)
            assert row is not None
            row.closes_at = utcnow() - timedelta(days=days)
    with Session(engine) as session:
        before = dashboard.public_tally(session, session.get(LetterCampaign, old.id))  # type: ignore[arg-type]

    with transaction(engine) as session:
        assert anonymise_due(session, settings=settings) == 1
        assert anonymise_due(session, settings=settings) == 0  # once only

    with Session(engine) as session:
        senders = {s.campaign_id: s for s in session.exec(select(LetterSender)).all()}
        assert (senders[old.id].name, senders[old.id].email) == ("", "")
        assert senders[recent.id].email == "olga@example.org"
        old_letters = session.exec(select(Letter).where(Letter.campaign_id == old.id)).all()
        assert old_letters and all(letter.body == "" for letter in old_letters)
        assert not any("Ales Writer" in letter.body for letter in old_letters)
        # The outbox's copies of those letters are blanked too, and any not yet taken withdrawn.
        copies = session.exec(
            select(OutboxMessage).where(OutboxMessage.template == "letter_to_official")
        ).all()
        assert copies and all(m.context == {} and m.headers == {} for m in copies)
        assert all(m.status == "cancelled" for m in copies)
        campaign = session.get(LetterCampaign, old.id)
        assert campaign is not None and campaign.anonymised_at is not None
        assert dashboard.public_tally(session, campaign) == before
        assert before.waiting > 0
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
        assert actions.count("letters.anonymised") == 1
