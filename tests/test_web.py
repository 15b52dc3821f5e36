"""What every page shares: security headers, error pages, languages, the health check."""

import logging
import threading
import time
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import Engine, text
from sqlmodel import Session
from starlette.requests import Request

from campaign.core.settings import Settings
from campaign.core.writes import PublicWriter
from campaign.site.app import create_app
from tests.conftest import PASSWORD, app_routes, csrf_from, make_settings
from tests.factories import make_petition

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


@pytest.mark.parametrize(
    "path", ["/", "/login", "/no-such-page", "/healthz", "/static/css/site.css"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_pages_load_nothing_from_other_sites(client: TestClient) -> None:
    for path in ["/", "/login"]:
        html = client.get(path).text
        assert "http://" not in html.replace("http://testserver", "")
        assert "https://" not in html
        assert "<script" not in html


def test_a_missing_page_gets_a_friendly_404(client: TestClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/"' in response.text


def test_a_crash_gets_a_friendly_500_with_headers(db_url: str, tmp_path: Path) -> None:
    app = create_app(make_settings(db_url, tmp_path, 25))

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    app.state.engine.dispose()
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret detail" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_an_overlong_form_field_gets_a_400_with_a_reason(client: TestClient) -> None:
    token = csrf_from(client, "/login")
    response = client.post(
        "/login", data={"email": "a" * 400, "password": "x", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "This request could not be understood" in response.text
    assert "check what you entered and send it again" in response.text
    assert "String should have" not in response.text  # no English from the validator


def test_error_pages_speak_the_visitors_language(client: TestClient) -> None:
    wrong_method = client.get("/logout?lang=de")
    assert wrong_method.status_code == 405
    assert "Method Not Allowed" not in wrong_method.text
    bad_query = client.get("/prisoners?birthday=perhaps&lang=de")
    assert bad_query.status_code == 400
    assert "Input should be" not in bad_query.text
    assert 'lang="de"' in bad_query.text


def test_every_form_route_refuses_a_post_without_csrf_token_or_from_another_site(
    client: TestClient,
) -> None:
    from campaign.site.app import PUBLIC_FORMS

    client.get("/login")  # the browser has a CSRF cookie, but the form carries no token
    checked = public = 0
    for template, methods, _dependant in app_routes(client.app):
        if "POST" not in methods:
            continue
        path = template.replace("{slug}", "x").replace("{petition_id}", "1")
        if PUBLIC_FORMS.match(path):
            for headers in ({"origin": "https://evil.example"}, {"sec-fetch-site": "cross-site"}):
                assert client.post(path, data={"a": "b"}, headers=headers).status_code == 403
            public += 1
            continue
        assert client.post(path, data={"a": "b"}).status_code == 403, path
        checked += 1
    assert checked >= 10 and public >= 10


def test_a_failed_commit_is_an_error_not_a_success(
    app, organiser, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    def broken_commit(self: Session) -> None:
        raise RuntimeError("disk full")

    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        token = csrf_from(client, "/login")
        monkeypatch.setattr(Session, "commit", broken_commit)
        response = client.post(
            "/login", data={"email": organiser.email, "password": PASSWORD, "csrf_token": token}
        )
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "campaign_session" not in response.headers.get("set-cookie", "")


def test_links_never_carry_a_forged_host(client: TestClient) -> None:
    page = client.get("/login", headers={"host": "evil.example"})
    assert "evil.example" not in page.text


def test_organiser_pages_are_never_stored(organiser_client: TestClient) -> None:
    assert organiser_client.get("/admin").headers["cache-control"] == "no-store"


def test_health_check_answers_when_the_database_does(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "up"


def test_health_check_fails_when_the_database_is_down(settings: Settings, tmp_path: Path) -> None:
    down = make_settings("postgresql://nobody@127.0.0.1:1/none", tmp_path, 25)
    app = create_app(down)
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # a replica needs PostgreSQL
def test_health_check_fails_when_the_read_replica_is_down(db_url: str, tmp_path: Path) -> None:
    replica_down = make_settings(
        db_url, tmp_path, 25, database_read_url="postgresql://nobody@127.0.0.1:1/none"
    )
    app = create_app(replica_down)
    with TestClient(app) as client:
        response = client.get("/healthz")
    app.state.engine.dispose()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "up", "replica": "down"}


def test_the_language_follows_accept_language(client: TestClient) -> None:
    page = client.get("/", headers={"accept-language": "be-BY,be;q=0.9,en;q=0.5"})
    assert '<html lang="be">' in page.text
    assert page.headers["content-language"] == "be"


def test_the_lang_switch_is_carried_by_links_then_kept_in_a_cookie(client: TestClient) -> None:
    page = client.get("/?lang=ru", headers={"accept-language": "de"})
    assert '<html lang="ru">' in page.text
    assert "set-cookie" not in page.headers  # a page a shared cache keeps sets no cookie
    assert 'href="/login?lang=ru"' in page.text
    login = client.get("/login?lang=ru", headers={"accept-language": "de"})
    assert client.cookies.get("campaign_lang") == "ru"  # remembered from a private page
    assert "accept-language" not in login.headers.get("vary", "").lower()  # the URL says it
    bare = client.get("/petitions", headers={"accept-language": "de"}, follow_redirects=False)
    assert bare.status_code == 302 and bare.headers["location"] == "/petitions?lang=ru"
    again = client.get("/login", headers={"accept-language": "de"})
    assert '<html lang="ru">' in again.text


def test_an_unknown_language_falls_back_to_english(client: TestClient) -> None:
    page = client.get("/?lang=xx", headers={"accept-language": "fr"})
    assert '<html lang="en">' in page.text


def test_the_switcher_links_every_language_without_javascript(client: TestClient) -> None:
    page = client.get("/login?next=/admin")
    for code in ["be", "ru", "uk", "pl", "lt", "de"]:
        assert f'hreflang="{code}"' in page.text
    assert "next=%2Fadmin&amp;lang=be" in page.text or "next=/admin&amp;lang=be" in page.text


def test_pages_without_a_form_set_no_cookie(client: TestClient) -> None:
    response = client.get("/")
    assert "set-cookie" not in response.headers


def test_a_page_with_a_form_sets_an_httponly_csrf_cookie(client: TestClient) -> None:
    response = client.get("/login")
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("campaign_csrf=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_head_requests_get_the_headers_of_a_get(client: TestClient) -> None:
    for path in ["/healthz", "/?lang=en", "/petitions?lang=en"]:
        response = client.head(path)
        assert response.status_code == 200, path
        assert response.content == b""
    bare = client.head("/petitions", follow_redirects=False)
    assert bare.headers["location"] == "/petitions?lang=en"


def test_the_home_page_lists_open_petitions(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_petition

    make_petition(engine, slug="on-home", title="Free the home page prisoner")
    page = client.get("/")
    assert (
        'href="/petitions/on-home?lang=en"' in page.text
        and "Free the home page prisoner" in page.text
    )


def test_the_language_switcher_after_a_form_leads_to_a_page_that_exists(
    client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine)
    path = f"/petitions/{petition.slug}"
    token = csrf_from(client, path)
    page = client.post(f"{path}/sign", data={"name": "", "csrf_token": token})
    assert page.status_code == 400
    # Not /petitions/…/sign?lang=be, which would answer "Method Not Allowed".
    assert f'href="{path}?lang=be"' in page.text
    assert client.get(f"{path}?lang=be").status_code == 200


def test_a_newline_in_a_url_cannot_forge_a_line_in_the_access_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="campaign.http"):
        client.get("/petitions/x%0A2026-11-25 INFO campaign.http POST /admin 200")
    [line] = [r.getMessage() for r in caplog.records if r.name == "campaign.http"]
    assert "\n" not in line and "x\\n2026" in line


@pytest.fixture(scope="module")
def traced() -> InMemorySpanExporter:
    """OpenTelemetry set up in the process, as an operator's instrumentation would (once: the
    global provider cannot be replaced)."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return exporter


def test_no_request_reaches_opentelemetry_even_where_it_is_set_up(
    traced: InMemorySpanExporter, client: TestClient, engine: Engine
) -> None:
    traced.clear()
    path = f"/petitions/{make_petition(engine).slug}"
    token = csrf_from(client, path)
    client.post(f"{path}/sign", data={"name": "Ana", "email": "nope", "csrf_token": token})
    client.get("/no-such-page")
    with trace.get_tracer("tests").start_as_current_span("the provider records"):
        pass
    assert [span.name for span in traced.get_finished_spans()] == ["the provider records"]


def test_a_select_shows_the_chosen_option_once_and_escapes_every_name() -> None:
    from campaign.core.web import select_options

    choices = [("", "none"), ("a", "<A & co>"), ("b", "B"), ("b", "B again"), (3, "three")]
    html = str(select_options(choices, "b"))
    assert html.count(" selected") == 1
    assert '<option value="b" selected>B</option>' in html
    assert '<option value="a">&lt;A &amp; co&gt;</option>' in html
    assert " selected" not in str(select_options(choices, ""))
    assert '<option value="3" selected>three</option>' in str(select_options(choices, 3))
    assert '<option value="x">' not in str(select_options(choices, "x"))  # unknown: none chosen
    assert str(select_options([["a", "A"]], "a")) == '<option value="a" selected>A</option>'


def test_an_app_process_runs_as_many_requests_at_once_as_its_database_suits(
    settings: Settings,
) -> None:
    """Few threads on SQLite (its writers queue for one lock behind the GIL), a few more on
    PostgreSQL (requests also wait for the database), or REQUEST_THREADS."""
    from anyio.to_thread import current_default_thread_limiter

    def running_at_once(configured: Settings) -> float:
        application = create_app(configured)
        with TestClient(application) as test_client:
            assert test_client.get("/healthz").status_code == 200
            tokens = test_client.portal.call(  # type: ignore[union-attr]
                lambda: current_default_thread_limiter().total_tokens
            )
        application.state.engine.dispose()
        return tokens

    assert running_at_once(settings) == (6 if settings.is_sqlite else 12)
    assert running_at_once(settings.model_copy(update={"request_threads": 12})) == 12


def test_a_surge_of_signatures_takes_only_the_writer_threads_and_pages_keep_theirs(
    settings: Settings,
) -> None:
    """Public writes queue for a few threads of their own (WRITER_THREADS): however many
    arrive at once, no more run together, and a page view finds a thread meanwhile."""
    assert settings.writer_threads_per_process == 1
    # One write per transaction here: the threads, not the batches, are what is counted.
    application = create_app(settings.model_copy(update={"writer_threads": 2, "writer_batch": 1}))
    request = Request({"type": "http", "app": application, "headers": []})
    lock = threading.Lock()
    running, peak, events = 0, 0, []

    def write(session: Session) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
            events.append("write started")
        time.sleep(0.3)
        with lock:
            running -= 1
        return int(session.execute(text("SELECT 1")).scalar_one())

    async def surge() -> None:
        async with anyio.create_task_group() as group:
            writes = PublicWriter(request)
            for _ in range(6):
                group.start_soon(writes.run, write)
            await anyio.sleep(0.1)
            await anyio.to_thread.run_sync(lambda: events.append("page served"))

    anyio.run(surge)
    application.state.engine.dispose()
    # On SQLite the writers also take turns at the one write lock (core/writes.py): one at once.
    at_once = 1 if settings.is_sqlite else 2
    assert peak == at_once
    assert events.count("write started") == 6
    assert events.index("page served") == at_once  # while the first writes still ran
