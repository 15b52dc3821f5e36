"""Mail is queued in the caller's transaction: no change, no mail."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from campaign.core.db import transaction, utcnow
from campaign.mail import outbox
from campaign.mail.models import OutboxMessage


def test_a_rolled_back_change_leaves_no_mail_behind(engine: Engine) -> None:
    with pytest.raises(RuntimeError), transaction(engine) as session:
        outbox.enqueue(session, to="ana@example.org", template="welcome", context={"name": "Ana"})
        raise RuntimeError("the change failed")
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_a_committed_change_queues_its_mail(engine: Engine) -> None:
    with transaction(engine) as session:
        outbox.enqueue(
            session, to="ana@example.org", template="welcome", context={"name": "Ana"}, locale="be"
        )
    with Session(engine) as session:
        message = session.exec(select(OutboxMessage)).one()
        assert (message.to_addr, message.template, message.locale) == (
            "ana@example.org",
            "welcome",
            "be",
        )
        assert message.context == {"name": "Ana"}
        assert outbox.counts_by_status(session)["queued"] == 1


def test_an_unknown_template_is_refused_at_once(session: Session) -> None:
    with pytest.raises(ValueError, match="no e-mail template"):
        outbox.enqueue(session, to="ana@example.org", template="nope", context={})


def test_arbitrary_headers_cannot_be_injected(session: Session) -> None:
    with pytest.raises(ValueError, match="Bcc"):
        outbox.enqueue(
            session,
            to="a@example.org",
            template="welcome",
            context={"name": "A"},
            headers={"Bcc": "x@example.org"},
        )


def test_finished_mail_is_deleted_after_the_keeping_period_and_waiting_mail_stays(
    engine: Engine,
) -> None:
    with transaction(engine) as session:
        for status in ("sent", "failed", "cancelled", "queued"):
            message_id = outbox.enqueue(
                session, to="ana@example.org", template="welcome", context={"name": "Ana"}
            )
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == message_id)
                .values(status=status, created_at=utcnow() - timedelta(days=40))
            )
        outbox.enqueue(session, to="new@example.org", template="welcome", context={"name": "N"})
    with transaction(engine) as session:
        purged = outbox.purge_finished(session, older_than=utcnow() - timedelta(days=30))
    assert purged == 3
    with Session(engine) as session:
        left = sorted(m.status for m in session.exec(select(OutboxMessage)).all())
    assert left == ["queued", "queued"]
