"""/dev/mail lists every caught message, newest first, a page at a time, and finds a recipient's."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.settings import Settings
from campaign.mail.sink import start_sink
from campaign.site.app import create_app
from tests.factories import queue_mail as queue
from tests.factories import send_mail as drain
from tests.smtp_server import free_port

RECIPIENT = re.compile(r"<td>([a-z]+\d+@example\.org)</td>")


@pytest.fixture
def caught(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    """55 messages to person0…54 and 3 to helper0…2, caught by the development mail catcher."""
    port = free_port()
    sink = start_sink(settings.dev_mail_dir, port=port)
    try:
        queue(engine, 55)
        queue(engine, 3, prefix="helper")
        drain(engine, settings.model_copy(update={"smtp_port": port}))
    finally:
        sink.stop()
    assert len(list(Path(settings.dev_mail_dir).glob("*.eml"))) == 58
    app = create_app(settings)
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def test_dev_mail_shows_every_message_newest_first_in_pages(caught: TestClient) -> None:
    first = caught.get("/dev/mail")
    assert "58 messages, newest first." in first.text
    assert "Page 1 of 2" in first.text
    shown = RECIPIENT.findall(first.text)
    assert shown[:4] == [
        "helper2@example.org",
        "helper1@example.org",
        "helper0@example.org",
        "person54@example.org",
    ]
    assert len(shown) == 50
    assert 'href="/dev/mail?page=2" rel="next"' in first.text

    second = caught.get("/dev/mail?page=2")
    rest = RECIPIENT.findall(second.text)
    assert rest == [f"person{n}@example.org" for n in range(7, -1, -1)]
    assert 'href="/dev/mail?page=1" rel="prev"' in second.text
    assert set(shown).isdisjoint(rest)


def test_dev_mail_finds_the_messages_to_one_recipient(caught: TestClient) -> None:
    found = caught.get("/dev/mail", params={"to": "HELPER1@"})
    assert RECIPIENT.findall(found.text) == ["helper1@example.org"]
    assert "1 message to “HELPER1@”, newest first." in found.text
    assert 'value="HELPER1@"' in found.text

    helpers = caught.get("/dev/mail", params={"to": "helper"})
    assert RECIPIENT.findall(helpers.text) == [f"helper{n}@example.org" for n in (2, 1, 0)]

    nobody = caught.get("/dev/mail", params={"to": "nobody@example.org"})
    assert RECIPIENT.findall(nobody.text) == []
    assert "0 messages to “nobody@example.org”" in nobody.text


def test_a_page_past_the_end_shows_the_last_page(caught: TestClient) -> None:
    beyond = caught.get("/dev/mail?page=99")
    assert "Page 2 of 2" in beyond.text
    assert len(RECIPIENT.findall(beyond.text)) == 8
