"""Logging in and out through the browser pages, and who may open the organiser area."""

from pathlib import Path

from fastapi.testclient import TestClient

from campaign.accounts.models import User
from campaign.site.app import create_app
from tests.conftest import PASSWORD, csrf_from, log_in, make_settings


def test_the_organiser_area_sends_strangers_to_the_login_page(client: TestClient) -> None:
    response = client.get("/admin")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin"


def test_an_organiser_logs_in_and_sees_the_dashboard(client: TestClient, organiser: User) -> None:
    response = log_in(client, organiser.email)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    page = client.get("/admin")
    assert page.status_code == 200
    assert "organiser@example.org" in page.text
    assert "Log out" in page.text


def test_the_session_cookie_is_httponly_and_samesite_lax(
    client: TestClient, organiser: User
) -> None:
    response = log_in(client, organiser.email)
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("campaign_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_over_https_the_session_cookie_is_secure_and_host_bound(
    db_url: str, tmp_path: Path, organiser: User
) -> None:
    settings = make_settings(db_url, tmp_path, 25, base_url="https://campaign.example.org")
    app = create_app(settings)
    with TestClient(app, base_url="https://campaign.example.org", follow_redirects=False) as client:
        response = log_in(client, organiser.email)
        cookie = next(
            h for h in response.headers.get_list("set-cookie") if "campaign_session=" in h
        )
        assert cookie.startswith("__Host-campaign_session=")
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert "max-age=63072000" in response.headers["strict-transport-security"]
    app.state.engine.dispose()


def test_a_wrong_password_shows_one_message_next_to_the_form(
    client: TestClient, organiser: User
) -> None:
    response = log_in(client, organiser.email, password="not the password")
    assert response.status_code == 400
    assert "Wrong e-mail address or password." in response.text
    assert 'value="organiser@example.org"' in response.text
    assert "not the password" not in response.text


def test_empty_fields_get_errors_linked_to_them(client: TestClient) -> None:
    token = csrf_from(client, "/login")
    response = client.post("/login", data={"email": "", "password": "", "csrf_token": token})
    assert response.status_code == 400
    assert 'href="#field-email"' in response.text
    assert 'aria-describedby="error-email"' in response.text
    assert 'aria-describedby="error-password"' in response.text


def test_too_many_failures_lock_the_form_for_a_while(client: TestClient, organiser: User) -> None:
    for _ in range(5):
        assert log_in(client, organiser.email, password="wrong guess").status_code == 400
    response = log_in(client, organiser.email)
    assert response.status_code == 429
    assert "Too many attempts" in response.text


def test_logout_ends_the_session_on_the_server(organiser_client: TestClient) -> None:
    cookie = organiser_client.cookies.get("campaign_session")
    token = csrf_from(organiser_client, "/admin")
    response = organiser_client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "You are logged out." in organiser_client.get("/login").text
    organiser_client.cookies.clear()
    organiser_client.cookies.set("campaign_session", cookie)  # a stolen copy of the old cookie
    assert organiser_client.get("/admin").status_code == 303


def test_login_rotates_the_session(organiser_client: TestClient, organiser: User) -> None:
    first = organiser_client.cookies.get("campaign_session")
    log_in(organiser_client, organiser.email, form_on="/admin")
    second = organiser_client.cookies.get("campaign_session")
    assert first != second
    organiser_client.cookies.clear()
    organiser_client.cookies.set("campaign_session", first)
    assert organiser_client.get("/admin").status_code == 303


def test_login_only_redirects_within_the_site(client: TestClient, organiser: User) -> None:
    response = log_in(client, organiser.email, next="https://evil.example/")
    assert response.headers["location"] == "/admin"
    client.cookies.clear()
    response = log_in(client, organiser.email, next="//evil.example/")
    assert response.headers["location"] == "/admin"


def test_an_organiser_cannot_open_admin_only_pages(organiser_client: TestClient) -> None:
    response = organiser_client.get("/admin/accounts")
    assert response.status_code == 403
    assert "Only administrators" in response.text


def test_an_admin_sees_every_account(admin_client: TestClient, organiser: User) -> None:
    page = admin_client.get("/admin/accounts")
    assert page.status_code == 200
    assert "organiser@example.org" in page.text and "admin@example.org" in page.text


def test_a_form_without_csrf_token_is_refused_with_an_explanation(
    client: TestClient, organiser: User
) -> None:
    client.get("/login")
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "This form has expired or was sent from another site" in response.text
    assert "campaign_session" not in client.cookies


def test_a_token_from_another_browser_is_refused(client: TestClient, app, organiser: User) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as attacker:
        stolen = csrf_from(attacker, "/login")
    client.get("/login")
    response = client.post(
        "/login", data={"email": organiser.email, "password": PASSWORD, "csrf_token": stolen}
    )
    assert response.status_code == 403


def test_a_forged_token_is_refused(client: TestClient, organiser: User) -> None:
    token = csrf_from(client, "/login")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = client.post(
        "/login", data={"email": organiser.email, "password": PASSWORD, "csrf_token": forged}
    )
    assert response.status_code == 403


def test_logout_needs_a_csrf_token_too(organiser_client: TestClient) -> None:
    assert organiser_client.post("/logout").status_code == 403
    assert organiser_client.get("/admin").status_code == 200
