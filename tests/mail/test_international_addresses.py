"""International addresses (anna@пример.бел, тест@пример.бел): the domain always goes out as
IDNA (xn--...), a name before the @ outside ASCII only over SMTPUTF8 where the relay offers it
(SMTP_UTF8=true); otherwise the forms refuse such an address next to the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.core.crypto import use_keys
from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.mail import outbox
from campaign.mail.models import MailStatus, OutboxMessage
from campaign.site.app import create_app
from tests.conftest import Browser, csrf_from, make_settings
from tests.factories import make_letter_campaign, make_petition, send_mail
from tests.letters.test_journey import review
from tests.petitions.test_routes import sign
from tests.smtp_server import SmtpServer

IDN_DOMAIN = "anna@пример.бел"
IDN_DOMAIN_WIRE = "anna@xn--e1afmkfd.xn--90ais"
IDN_MAILBOX = "тест@пример.бел"
IDN_MAILBOX_WIRE = "тест@xn--e1afmkfd.xn--90ais"
REFUSAL = "Letters outside the Latin alphabet before the @ cannot be mailed from this site"


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage)).all())


def app_client(settings: Settings) -> Iterator[TestClient]:
    use_keys(settings.data_keys)
    app = create_app(settings)
    with Browser(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


@pytest.fixture
def ascii_settings(db_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    """The default: the relay (the plain test server) is not said to offer SMTPUTF8."""
    return make_settings(db_url, tmp_path, smtp.port, sign_min_fill_seconds=0)


@pytest.fixture(scope="module")
def utf8_server() -> Iterator[SmtpServer]:
    server = SmtpServer(smtputf8=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def utf8_settings(db_url: str, tmp_path: Path, utf8_server: SmtpServer) -> Settings:
    utf8_server.handler.reset()
    return make_settings(
        db_url, tmp_path, utf8_server.port, smtp_utf8=True, sign_min_fill_seconds=0
    )


def test_a_signer_at_an_international_domain_gets_mail_addressed_in_idna(
    engine: Engine, ascii_settings: Settings, smtp: SmtpServer
) -> None:
    make_petition(engine, slug="free-them")
    for client in app_client(ascii_settings):
        assert sign(client, "free-them", email=IDN_DOMAIN).status_code == 303
    assert send_mail(engine, ascii_settings) == 1
    [message] = smtp.messages
    assert message["To"] == IDN_DOMAIN_WIRE  # an address, not an RFC 2047 encoded word
    assert message["To"].addresses[0].domain == "xn--e1afmkfd.xn--90ais"
    [envelope] = smtp.handler.envelopes
    assert envelope.rcpt_tos == (IDN_DOMAIN_WIRE,) and not envelope.smtputf8
    assert [row.status for row in outbox_rows(engine)] == [MailStatus.sent]


def test_an_international_name_before_the_at_goes_out_over_smtputf8_when_the_relay_offers_it(
    engine: Engine, utf8_settings: Settings, utf8_server: SmtpServer
) -> None:
    make_petition(engine, slug="free-them")
    for client in app_client(utf8_settings):
        assert sign(client, "free-them", email=IDN_MAILBOX).status_code == 303
    assert send_mail(engine, utf8_settings) == 1
    [message] = utf8_server.messages
    assert message["To"] == IDN_MAILBOX_WIRE
    [envelope] = utf8_server.handler.envelopes
    assert envelope.rcpt_tos == (IDN_MAILBOX_WIRE,) and envelope.smtputf8
    assert [row.status for row in outbox_rows(engine)] == [MailStatus.sent]


def _sign(client: TestClient, engine: Engine, address: str):  # type: ignore[no-untyped-def]
    make_petition(engine, slug="free-them")
    return sign(client, "free-them", email=address)


def _write_letters(client: TestClient, engine: Engine, address: str):  # type: ignore[no-untyped-def]
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    return client.post(
        f"/letters/{campaign.slug}/send", data={**data, "channel": "email", "email": address}
    )


def _volunteer(client: TestClient, engine: Engine, address: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/volunteer/signin")
    return client.post("/volunteer/signin", data={"csrf_token": token, "email": address})


def _my_data(client: TestClient, engine: Engine, address: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/my-data")
    return client.post("/my-data", data={"csrf_token": token, "email": address})


PUBLIC_FORMS: dict[str, Callable[[TestClient, Engine, str], object]] = {
    "sign": _sign,
    "letters": _write_letters,
    "volunteers": _volunteer,
    "my-data": _my_data,
}


@pytest.mark.parametrize("form", PUBLIC_FORMS)
def test_without_smtputf8_every_public_form_refuses_an_international_name_before_the_at(
    form: str, engine: Engine, ascii_settings: Settings
) -> None:
    for client in app_client(ascii_settings):
        response = PUBLIC_FORMS[form](client, engine, IDN_MAILBOX)
        assert response.status_code == 400  # type: ignore[attr-defined]
        page = response.text  # type: ignore[attr-defined]
        assert REFUSAL in page and 'id="error-email"' in page
        assert IDN_MAILBOX in page  # what was typed stays in the field
    assert outbox_rows(engine) == []


@pytest.mark.parametrize("form", PUBLIC_FORMS)
def test_every_public_form_takes_an_international_domain(
    form: str, engine: Engine, ascii_settings: Settings
) -> None:
    for client in app_client(ascii_settings):
        response = PUBLIC_FORMS[form](client, engine, IDN_DOMAIN)
        assert response.status_code in {200, 303}  # type: ignore[attr-defined]
        assert REFUSAL not in response.text  # type: ignore[attr-defined]


def test_mail_already_queued_for_a_name_outside_ascii_fails_for_good_with_a_reason(
    engine: Engine, ascii_settings: Settings, smtp: SmtpServer
) -> None:
    """Queued before this check existed, or by the command line: never sent as a broken header,
    and not retried for days: it stays failed with the setting to change."""
    with transaction(engine) as session:
        outbox.enqueue(session, to=IDN_MAILBOX, template="welcome", context={"name": "Тест"})
    send_mail(engine, ascii_settings)
    assert smtp.messages == []
    [row] = outbox_rows(engine)
    assert row.status == MailStatus.failed and "SMTP_UTF8" in (row.last_error or "")


def test_a_reply_to_at_an_international_address_is_written_as_an_address(
    engine: Engine, utf8_settings: Settings, utf8_server: SmtpServer
) -> None:
    """Letters to officials carry the supporter's address as Reply-To."""
    with transaction(engine) as session:
        for reply_to in (IDN_DOMAIN, IDN_MAILBOX):
            outbox.enqueue(
                session,
                to="official@example.org",
                template="welcome",
                context={"name": "Official"},
                headers={"Reply-To": reply_to},
            )
    assert send_mail(engine, utf8_settings) == 2
    first, second = utf8_server.messages
    assert (first["Reply-To"], second["Reply-To"]) == (IDN_DOMAIN_WIRE, IDN_MAILBOX_WIRE)
    # The second is UTF-8 in a header: the relay is told so, though the recipient is ASCII.
    assert [e.smtputf8 for e in utf8_server.handler.envelopes] == [False, True]
