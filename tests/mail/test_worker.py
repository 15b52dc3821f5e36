"""The worker against a real SMTP server: delivery, retries, permanent failures, exactly once."""

import asyncio
import os
import subprocess
import sys
from datetime import timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from campaign.core.db import transaction, utcnow
from campaign.core.settings import PROJECT_DIR, Settings
from campaign.mail import outbox
from campaign.mail.models import MailPriority, MailStatus, OutboxMessage
from campaign.mail.worker import MailWorker, backoff_delay
from tests.factories import queue_mail as queue
from tests.factories import send_mail as drain
from tests.smtp_server import SmtpServer


def rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def test_a_queued_message_arrives_as_text_and_html(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 1)
    assert drain(engine, settings) == 1
    [message] = smtp.messages
    assert message["To"] == "person0@example.org"
    assert message["Subject"] == "Welcome to campaign"
    assert message["Message-ID"] == rows(engine)[0].message_id
    assert message.get_body(("plain",)).get_content().startswith("Hello Person 0,")
    assert "<p>Hello Person 0,</p>" in message.get_body(("html",)).get_content()
    [row] = rows(engine)
    assert row.status == MailStatus.sent and row.sent_at is not None and row.attempts == 1


def test_one_connection_carries_a_whole_batch(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 12)
    drain(engine, settings, batch_size=5)
    assert len(smtp.messages) == 12
    assert smtp.handler.connections == 1


def test_a_message_is_written_in_its_own_language(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 1, locale="be")
    drain(engine, settings)
    [message] = smtp.messages
    assert message["Subject"] != "Welcome to campaign"
    assert message["Subject"].strip()


def test_a_temporary_refusal_is_retried_later_with_backoff(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    smtp.handler.rcpt_replies["person0@example.org"] = ["451 4.3.0 Try again later"]
    queue(engine, 2)
    drain(engine, settings, backoff_base=60)
    first, second = rows(engine)
    assert first.status == MailStatus.queued
    assert first.last_error == "451 4.3.0 Try again later"
    assert first.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert second.status == MailStatus.sent

    with Session(engine) as session:  # time passes
        session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        session.commit()
    drain(engine, settings)
    assert [row.status for row in rows(engine)] == [MailStatus.sent, MailStatus.sent]
    assert rows(engine)[0].attempts == 2
    assert len(smtp.handler.to("person0@example.org")) == 1


def test_backoff_doubles_up_to_a_cap() -> None:
    assert [backoff_delay(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_delay(30, 30) == 6 * 3600


def test_a_permanent_refusal_is_recorded_and_not_retried(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    smtp.handler.rcpt_replies["person0@example.org"] = ["550 5.1.1 No such user here"]
    queue(engine, 2)
    drain(engine, settings)
    first, second = rows(engine)
    assert first.status == MailStatus.failed
    assert first.last_error == "550 5.1.1 No such user here"
    assert second.status == MailStatus.sent
    assert drain(engine, settings) == 0


def test_a_dropped_connection_mid_batch_still_delivers_every_message_once(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    smtp.handler.drop_after = 3
    queue(engine, 8)
    drain(engine, settings, backoff_base=0)
    received = [m["To"] for m in smtp.messages]
    assert sorted(received) == sorted(f"person{n}@example.org" for n in range(8))
    assert smtp.handler.connections == 2
    assert all(row.status == MailStatus.sent for row in rows(engine))


def test_an_unreachable_server_keeps_mail_queued(engine: Engine, settings: Settings) -> None:
    queue(engine, 1)
    closed = settings.model_copy(update={"smtp_port": 1})
    drain(engine, closed, backoff_base=60)
    [row] = rows(engine)
    assert row.status == MailStatus.queued
    assert "cannot reach the SMTP server" in (row.last_error or "")


def test_a_message_abandoned_by_a_dead_worker_is_sent_after_its_lease(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 1)
    dead = MailWorker(engine, settings)
    assert len(dead.claim()) == 1
    assert drain(engine, settings) == 0  # still leased to the dead worker
    with Session(engine) as session:
        session.execute(update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    assert drain(engine, settings) == 1
    assert len(smtp.messages) == 1


def test_two_workers_at_once_send_every_message_exactly_once(
    engine: Engine, db_url: str, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 200)
    smtp.handler.hold_until_connections = 2  # both workers begin together
    smtp.handler.delay = 0.01
    env = {
        **os.environ,
        "ENV": "development",
        "DATABASE_URL": db_url,
        "SECRET_KEY": settings.secret_key,
        "DATA_KEYS": ",".join(settings.data_keys),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
    }
    command = [sys.executable, "-m", "campaign", "worker", "--once", "--batch-size", "7"]
    workers = [
        subprocess.Popen(
            command, env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    handled = [int(out.decode().split("handled ")[1].split()[0]) for out, _ in outputs]
    assert sum(handled) == 200
    assert all(n > 0 for n in handled), ("both workers should have taken part", outputs)
    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == 200
    assert len(set(ids)) == 200
    assert {row.status for row in rows(engine)} == {MailStatus.sent}


def test_a_worker_claims_at_most_one_batch(engine: Engine, settings: Settings) -> None:
    queue(engine, 20)
    first, second = (
        MailWorker(engine, settings, batch_size=7),
        MailWorker(engine, settings, batch_size=7),
    )
    a, b = first.claim(), second.claim()
    assert (len(a), len(b)) == (7, 7)
    assert not {row.id for row in a} & {row.id for row in b}
    assert len(first.claim()) == 6
    assert second.claim() == []


def test_a_worker_never_sends_a_row_whose_lease_another_took(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 3)
    slow = MailWorker(engine, settings)
    rows = slow.claim()
    # The slow worker's lease ran out (by its own clock too) and another worker took row 2.
    slow._held_until = utcnow() - timedelta(seconds=1)
    with Session(engine) as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == rows[1].id).values(claimed_by="other")
        )  # type: ignore[arg-type]
        session.commit()

    async def run() -> list[bool]:
        try:
            return [await slow.send(row) for row in rows]
        finally:
            await slow.close()

    import asyncio

    assert asyncio.run(run()) == [True, False, True]
    assert sorted(m["To"] for m in smtp.messages) == ["person0@example.org", "person2@example.org"]
    slow.mark_accepted()
    assert [(row.status, row.claimed_by) for row in globals()["rows"](engine)] == [
        (MailStatus.sent, None),
        (MailStatus.sending, "other"),
        (MailStatus.sent, None),
    ]


def test_a_batch_is_renewed_in_one_statement_only_when_its_lease_runs_short(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 4)
    worker = MailWorker(engine, settings)
    batch = worker.claim()
    leased = {row.id: row.claimed_until for row in rows(engine)}

    async def run() -> None:
        try:
            assert [await worker.send(row) for row in batch[:2]] == [True, True]
            # No statement was needed while the lease had time left ...
            assert {row.id: row.claimed_until for row in rows(engine)} == leased
            # ... and once it runs short, the rest of the batch is renewed together.
            worker._held_until = utcnow() + worker.margin - timedelta(seconds=1)
            assert await worker.send(batch[2]) is True
            renewed = {row.id: row.claimed_until for row in rows(engine)}
            assert renewed[batch[3].id] > leased[batch[3].id]  # type: ignore[index,operator]
            assert await worker.send(batch[3]) is True
        finally:
            await worker.close()

    import asyncio

    asyncio.run(run())
    worker.mark_accepted()
    assert len(smtp.messages) == 4
    assert {row.status for row in rows(engine)} == {MailStatus.sent}


def test_messages_the_server_accepted_are_marked_sent_even_when_the_batch_breaks_off(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 5)
    smtp.handler.refuse_sender_after = 3  # our side's fault: the batch is given back
    drain(engine, settings, backoff_base=60)
    assert len(smtp.messages) == 3
    assert [(row.status, row.attempts) for row in rows(engine)] == [
        (MailStatus.sent, 1),
        (MailStatus.sent, 1),
        (MailStatus.sent, 1),
        (MailStatus.queued, 0),
        (MailStatus.queued, 0),
    ]


def test_a_refused_sender_puts_the_batch_back_without_using_up_attempts(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    queue(engine, 3)
    wrong_sender = settings.model_copy(update={"mail_from": "campaign <blocked@campaign.test>"})
    smtp.handler.mail_replies["blocked@campaign.test"] = "550 5.7.1 Sender not allowed"
    drain(engine, wrong_sender, backoff_base=60)
    assert {row.status for row in rows(engine)} == {MailStatus.queued}
    assert {row.attempts for row in rows(engine)} == {0}
    assert smtp.messages == []


def test_the_recipient_list_is_the_row_address_only(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    from campaign.core.db import transaction
    from campaign.mail import outbox

    with (
        transaction(engine) as session,
        __import__("pytest").raises(ValueError, match="one valid address"),
    ):
        outbox.enqueue(
            session,
            to="ana@example.org, eve@example.org",
            template="welcome",
            context={"name": "A"},
        )


def test_a_header_with_a_line_break_is_never_sent_and_fails_for_good(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    from campaign.core.db import transaction
    from campaign.mail import outbox

    with transaction(engine) as session:
        outbox.enqueue(
            session,
            to="ana@example.org",
            template="welcome",
            context={"name": "Ana"},
            headers={"Reply-To": "ana@example.org\nBcc: eve@example.org"},
        )
    drain(engine, settings)
    assert smtp.messages == []
    [row] = rows(engine)
    assert row.status == MailStatus.failed
    assert "line break" in (row.last_error or "")


def test_names_and_subjects_outside_ascii_arrive_intact(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    from campaign.core.db import transaction
    from campaign.mail import outbox

    name = 'Алесь "Ales" <Бяляцкі>, Minsk'
    with transaction(engine) as session:
        outbox.enqueue(
            session,
            to="ana@example.org",
            template="welcome",
            context={"name": name},
            locale="be",
            headers={"From-Name": name},
        )
    drain(engine, settings)
    [message] = smtp.messages
    assert message["From"].addresses[0].display_name == name
    assert message["Subject"] == " ".join(message["Subject"].split()) != ""
    assert name in message.get_body(("plain",)).get_content()
    assert name.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;") in (
        message.get_body(("html",)).get_content()
    )


def test_mail_queued_at_low_priority_waits_until_all_normal_mail_is_sent(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    with transaction(engine) as session:
        for n in range(12):
            for priority, prefix in ((MailPriority.low, "flood"), (MailPriority.normal, "person")):
                outbox.enqueue(
                    session,
                    to=f"{prefix}{n}@example.org",
                    template="welcome",
                    context={"name": f"Person {n}"},
                    priority=priority,
                )
    drain(engine, settings, batch_size=5)
    delivered = [message["To"] for message in smtp.messages]
    assert delivered == [f"person{n}@example.org" for n in range(12)] + [
        f"flood{n}@example.org" for n in range(12)
    ]


def test_normal_mail_queued_during_a_flood_goes_out_with_the_next_batch(
    engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    with transaction(engine) as session:
        for n in range(30):
            outbox.enqueue(
                session,
                to=f"flood{n}@example.org",
                template="welcome",
                context={"name": "Flood"},
                priority=MailPriority.low,
            )
    worker = MailWorker(engine, settings, batch_size=5)

    async def one_batch() -> None:
        await worker.run_once()
        await worker.close()

    asyncio.run(one_batch())
    queue(engine, 3)
    drain(engine, settings, batch_size=5)
    delivered = [message["To"] for message in smtp.messages]
    assert delivered[5:8] == [f"person{n}@example.org" for n in range(3)]
    assert len(delivered) == 33
