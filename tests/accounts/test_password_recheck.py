"""Giving the password again inside a session (two-factor off, new recovery codes) is throttled
and audited like a login: someone at an unattended, logged-in browser cannot guess it freely."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import User
from campaign.core.audit import AuditEvent
from campaign.core.crypto import use_keys
from campaign.site.app import create_app
from tests.conftest import PASSWORD, csrf_from, log_in, make_settings, with_two_factor
from tests.smtp_server import SmtpServer

RECHECKS = ["/account/two-factor/off", "/account/two-factor/recovery-codes"]


def trail(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def two_factor_on(engine: Engine, user: User) -> bool:
    with Session(engine) as session:
        row = session.get(User, user.id)
        assert row is not None
        return row.totp_enabled_at is not None


@pytest.mark.parametrize("path", RECHECKS)
def test_guessing_the_password_inside_a_session_is_throttled_and_recorded(
    path: str, client: TestClient, engine: Engine, organiser: User
) -> None:
    with_two_factor(engine, organiser)
    assert log_in(client, organiser.email).status_code == 303
    token = csrf_from(client, "/account/two-factor")
    guesses = [
        client.post(path, data={"csrf_token": token, "password": f"guess {n}"}) for n in range(5)
    ]
    assert [g.status_code for g in guesses] == [400] * 5
    assert "This is not your password." in guesses[0].text
    # Over the limit even the right password waits, and nothing is changed.
    waiting = client.post(path, data={"csrf_token": token, "password": PASSWORD})
    assert waiting.status_code == 429
    assert "Too many attempts. Try again in" in waiting.text
    assert 'aria-describedby="error-password"' in waiting.text  # next to the field
    assert two_factor_on(engine, organiser)
    events = [e for e in trail(engine) if e.action.startswith("account.password_recheck")]
    assert [e.action for e in events] == ["account.password_recheck_failed"] * 5 + [
        "account.password_recheck_throttled"
    ]
    assert {e.actor for e in events} == {organiser.email}
    assert not any("guess" in str(e.details) or PASSWORD in str(e.details) for e in trail(engine))


def test_giving_the_right_password_again_never_counts(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    with_two_factor(engine, organiser)
    assert log_in(client, organiser.email).status_code == 303
    token = csrf_from(client, "/account/two-factor")
    for n in range(8):
        renewed = client.post(RECHECKS[1], data={"csrf_token": token, "password": PASSWORD})
        assert renewed.status_code == 200, f"renewal {n + 1} was refused"
        assert "Your recovery codes" in renewed.text
    off = client.post(RECHECKS[0], data={"csrf_token": token, "password": PASSWORD})
    assert off.status_code == 303 and not two_factor_on(engine, organiser)


@pytest.fixture
def strict_client(db_url: str, tmp_path: Path, smtp: SmtpServer) -> Iterator[TestClient]:
    """The app with a per-client limit of 4 failures, so a test can reach it quickly."""
    settings = make_settings(db_url, tmp_path, smtp.port, login_limit_per_client="4/15minutes")
    use_keys(settings.data_keys)
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client
    app.state.engine.dispose()


def test_wrong_passwords_at_login_and_inside_a_session_share_the_clients_limit(
    strict_client: TestClient, engine: Engine, organiser: User
) -> None:
    with_two_factor(engine, organiser)
    assert log_in(strict_client, organiser.email).status_code == 303
    app = strict_client.app
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as same_address:
        for n in range(3):
            failed = log_in(same_address, f"nobody{n}@example.org", password="guess")
            assert failed.status_code == 400
    token = csrf_from(strict_client, "/account/two-factor")
    off = RECHECKS[0]
    assert strict_client.post(off, data={"csrf_token": token, "password": "x"}).status_code == 400
    # The fifth failure from this address, whichever form it came through, waits.
    waiting = strict_client.post(off, data={"csrf_token": token, "password": PASSWORD})
    assert waiting.status_code == 429 and two_factor_on(engine, organiser)
