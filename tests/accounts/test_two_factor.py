"""Two-factor login: a code after the password, once each; recovery codes; admins must use it."""

from __future__ import annotations

import re

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import Role, User
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from tests.conftest import (
    PASSWORD,
    PENDING,
    TOTP_SECRET,
    add_user,
    csrf_from,
    log_in,
    with_two_factor,
)


@pytest.fixture
def organiser(engine: Engine) -> User:
    """An organiser who has not set up two-factor login yet."""
    return add_user(engine, "organiser@example.org")


CODES = re.compile(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>")
SECRET = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
SETUP = re.compile(r'name="setup" value="([^"]+)"')


def password_step(client: TestClient, email: str) -> str:
    """Give the password; the pending-login proof the code form carries."""
    token = csrf_from(client, "/login")
    page = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert page.status_code == 200 and "Two-factor authentication" in page.text
    found = PENDING.search(page.text)
    assert found
    return found.group(1)


def code_step(client: TestClient, pending: str, code: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/login")
    return client.post("/login/code", data={"pending": pending, "code": code, "csrf_token": token})


def actions(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_with_two_factor_the_password_alone_opens_nothing(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    with_two_factor(engine, organiser)
    pending = password_step(client, organiser.email)
    assert client.get("/admin").status_code == 303  # no session yet
    wrong = code_step(client, pending, "000000")
    assert wrong.status_code == 400 and "This code is not right" in wrong.text
    done = code_step(client, pending, pyotp.TOTP(TOTP_SECRET).now())
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert client.get("/admin").status_code == 200
    assert actions(engine)[-2:] == ["account.code_failed", "account.login"]


def test_a_code_cannot_be_used_twice(client: TestClient, engine: Engine, organiser: User) -> None:
    with_two_factor(engine, organiser)
    code = pyotp.TOTP(TOTP_SECRET).now()
    assert code_step(client, password_step(client, organiser.email), code).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_from(client, "/admin")})
    replay = code_step(client, password_step(client, organiser.email), code)
    assert replay.status_code == 400


def test_a_forged_or_stale_pending_login_starts_over(client: TestClient, organiser: User) -> None:
    response = code_step(client, "forged.pending.token", "123456")
    assert response.status_code == 400
    assert "Log in again" in response.text and 'name="password"' in response.text


def test_guessing_codes_is_throttled(client: TestClient, engine: Engine, organiser: User) -> None:
    with_two_factor(engine, organiser)
    pending = password_step(client, organiser.email)
    statuses = [code_step(client, pending, f"{n:06d}").status_code for n in range(6)]
    assert statuses[:5] == [400] * 5 and statuses[5] == 429


def test_setting_up_shows_a_qr_code_then_recovery_codes_that_work_once_each(
    organiser_client: TestClient, engine: Engine, organiser: User
) -> None:
    page = organiser_client.get("/account/two-factor")
    assert page.status_code == 200 and "<svg" in page.text
    assert SECRET.search(organiser_client.get("/account/two-factor").text) != SECRET.search(
        page.text
    )  # a new secret on every visit: one seen earlier, by anyone, is never the one turned on
    assert page.headers["cache-control"] == "no-store"
    found = SECRET.search(page.text)
    assert found
    secret = found.group(1).replace(" ", "")
    setup = SETUP.search(page.text)
    assert setup
    token = csrf_from(organiser_client, "/account/two-factor")
    form = {"csrf_token": token, "setup": setup.group(1)}
    refused = organiser_client.post("/account/two-factor", data={**form, "code": "١٢٣٤٥٦"})
    assert refused.status_code == 400 and setup.group(1) in refused.text  # the same QR again
    with TestClient(
        organiser_client.app, base_url="http://testserver", follow_redirects=False
    ) as elsewhere:
        assert log_in(elsewhere, organiser.email).status_code == 303
        shown = organiser_client.post(
            "/account/two-factor", data={**form, "code": pyotp.TOTP(secret).now()}
        )
        # The other browser logged in with the password alone: turning it on logs it out.
        assert elsewhere.get("/admin", follow_redirects=False).status_code == 303
    codes = CODES.findall(shown.text)
    assert len(codes) == 10 and len(set(codes)) == 10
    with Session(engine) as session:
        stored = session.get(User, organiser.id)
        assert stored is not None and stored.totp_enabled_at is not None
    organiser_client.post("/logout", data={"csrf_token": csrf_from(organiser_client, "/admin")})
    recovered = code_step(
        organiser_client, password_step(organiser_client, organiser.email), codes[0].lower()
    )
    assert recovered.status_code == 303
    assert "9 recovery codes left" in organiser_client.get("/account/two-factor").text
    token = csrf_from(organiser_client, "/account/two-factor")
    renew = "/account/two-factor/recovery-codes"
    assert organiser_client.post(renew, data={"csrf_token": token}).status_code == 400
    renewed = organiser_client.post(renew, data={"csrf_token": token, "password": PASSWORD})
    assert len(CODES.findall(renewed.text)) == 10 and codes[1] not in renewed.text
    organiser_client.post("/logout", data={"csrf_token": csrf_from(organiser_client, "/admin")})
    again = code_step(organiser_client, password_step(organiser_client, organiser.email), codes[0])
    assert again.status_code == 400
    assert "account.recovery_code_used" in actions(engine)


def test_an_admins_password_alone_opens_only_the_two_factor_setup(
    client: TestClient, engine: Engine
) -> None:
    add_user(engine, "new-admin@example.org", Role.admin)
    assert log_in(client, "new-admin@example.org").status_code == 303
    for path in ("/admin", "/admin/petitions", "/admin/accounts", "/admin/audit"):
        sent = client.get(path)
        assert sent.status_code == 303 and sent.headers["location"] == "/account/two-factor"
    page = client.get("/account/two-factor")
    assert "Administrators must turn on two-factor authentication" in page.text


def test_an_organiser_may_turn_it_off_with_the_password_but_an_admin_may_not(
    client: TestClient, engine: Engine, organiser: User, admin: User
) -> None:
    with_two_factor(engine, organiser)
    assert log_in(client, organiser.email).status_code == 303
    token = csrf_from(client, "/account/two-factor")
    wrong = client.post("/account/two-factor/off", data={"csrf_token": token, "password": "x"})
    assert wrong.status_code == 400
    off = client.post("/account/two-factor/off", data={"csrf_token": token, "password": PASSWORD})
    assert off.status_code == 303
    with Session(engine) as session:
        assert session.get(User, organiser.id).totp_enabled_at is None  # type: ignore[union-attr]
    client.post("/logout", data={"csrf_token": token})
    assert log_in(client, admin.email).status_code == 303
    token = csrf_from(client, "/account/two-factor")
    client.post("/account/two-factor/off", data={"csrf_token": token, "password": PASSWORD})
    with transaction(engine) as session:
        assert session.get(User, admin.id).totp_enabled_at is not None  # type: ignore[union-attr]
