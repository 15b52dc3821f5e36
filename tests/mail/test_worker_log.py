"""What the worker says in its log: one line per batch, counts only, never an address."""

import logging

import pytest
from sqlalchemy import Engine

from campaign.core.settings import Settings
from tests.factories import queue_mail as queue
from tests.factories import send_mail as drain
from tests.smtp_server import SmtpServer


def batch_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "campaign.mail" and r.getMessage().startswith("mail batch:")
    ]


def test_each_batch_logs_one_line_with_what_was_sent_failed_and_retried(
    engine: Engine, settings: Settings, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    smtp.handler.rcpt_replies["person0@example.org"] = ["550 5.1.1 No such user here"]
    smtp.handler.rcpt_replies["person1@example.org"] = ["451 4.3.0 Try again later"]
    queue(engine, 5)
    with caplog.at_level(logging.DEBUG, logger="campaign.mail"):
        drain(engine, settings, batch_size=3)
    assert batch_lines(caplog) == [
        "mail batch: 1 sent, 1 failed, 1 retried, 0 put back",
        "mail batch: 2 sent, 0 failed, 0 retried, 0 put back",
    ]
    info = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    assert not [line for line in info if "@" in line], info


def test_a_batch_the_server_refuses_is_logged_as_put_back(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    queue(engine, 2)
    unreachable = settings.model_copy(update={"smtp_port": 1})
    with caplog.at_level(logging.INFO, logger="campaign.mail"):
        drain(engine, unreachable, backoff_base=60)
    assert batch_lines(caplog) == ["mail batch: 0 sent, 0 failed, 0 retried, 2 put back"]


def test_nothing_due_logs_nothing(
    engine: Engine, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="campaign.mail"):
        drain(engine, settings)
    assert batch_lines(caplog) == []
