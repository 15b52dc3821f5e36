"""The audit trail records logins, failed logins, lockouts, logouts and new accounts; admins read
it; an address nobody has an account for is never written down."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import User
from campaign.core.audit import AuditEvent
from tests.conftest import add_user, app_routes, csrf_from, log_in


def events(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).order_by(AuditEvent.id)).all())


def test_a_login_a_failed_login_and_a_logout_are_recorded_with_who(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    assert log_in(client, organiser.email, password="not the password").status_code == 400
    assert log_in(client, organiser.email).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_from(client, "/admin")})

    trail = [(e.action, e.actor) for e in events(engine) if e.action.startswith("account.")]
    assert trail[-3:] == [
        ("account.login_failed", organiser.email),
        ("account.login", organiser.email),
        ("account.logout", organiser.email),
    ]


def test_a_throttled_account_is_recorded(
    client: TestClient, engine: Engine, organiser: User
) -> None:
    for _ in range(6):
        response = log_in(client, organiser.email, password="guess")
    assert response.status_code == 429
    assert "account.login_throttled" in [e.action for e in events(engine)]


def test_an_unknown_address_is_never_written_to_the_trail(
    client: TestClient, engine: Engine
) -> None:
    before = len(events(engine))
    assert log_in(client, "someone.else@example.org", password="whatever").status_code == 400
    after = events(engine)
    assert len(after) == before
    assert not any("someone.else" in f"{e.actor} {e.target} {e.details}" for e in after)


def test_new_accounts_are_recorded(engine: Engine) -> None:
    user = add_user(engine, "new.organiser@example.org")
    [created] = [e for e in events(engine) if e.action == "account.created"]
    assert created.target == f"user:{user.id}"
    assert created.details == {"role": "organiser"}


def test_admins_read_the_trail_and_organisers_cannot(
    admin_client: TestClient, engine: Engine
) -> None:
    page = admin_client.get("/admin/audit")
    assert page.status_code == 200
    assert "admin logged in" in page.text  # as a sentence, not the code account.login
    add_user(engine, "plain@example.org")
    admin_client.post("/logout", data={"csrf_token": csrf_from(admin_client, "/admin")})
    log_in(admin_client, "plain@example.org")
    assert admin_client.get("/admin/audit").status_code == 403


def test_the_app_offers_no_way_to_change_or_delete_the_trail(app) -> None:  # type: ignore[no-untyped-def]
    routes = app_routes(app)
    assert any(path == "/admin/audit" for path, _, _ in routes)  # the walk sees the trail's page
    writable = [
        path for path, methods, _ in routes if "audit" in path and methods - {"GET", "HEAD"}
    ]
    assert writable == []
