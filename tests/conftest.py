"""Fixtures: a migrated database per test (SQLite, and PostgreSQL when TEST_DATABASE_URL is set),
the app and a client, a real SMTP server, and personas."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select
from starlette.routing import Route

from campaign.accounts.models import Role, User
from campaign.accounts.service.accounts import create_organiser
from campaign.core.crypto import use_keys
from campaign.core.db import make_engine, transaction, utcnow
from campaign.core.migrate import upgrade
from campaign.core.settings import Settings, load_settings
from campaign.site.app import create_app
from campaign.site.models import metadata
from campaign.site.wiring import wire
from tests.factories import make_member
from tests.smtp_server import SmtpServer

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production"
TEST_DATA_KEY = "dGVzdC1kYXRhLWtleS0zMi1ieXRlcy1sb25nLS0tLS0="
PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PENDING = re.compile(r'name="pending" value="([^"]+)"')
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


wire()


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("REQUIRE_POSTGRES") == "1" and not os.environ.get("TEST_DATABASE_URL"):
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


# -- databases ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per test process; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards; skipped without
    TEST_DATABASE_URL, failed instead when REQUIRE_POSTGRES=1 (as in CI)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    base_url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        pytest.fail(f"cannot create a PostgreSQL test database at {base}: {exc}")
    try:
        yield base_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url(worker_id: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test process, migrated once, dropped at the end."""
    with throwaway_postgres(f"campaign_test_{worker_id}") as url:
        upgrade(url)
        yield url


def _empty_postgres(url: str) -> None:
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, migrated database: every test using it runs on both databases."""
    if request.param == "sqlite":
        path = tmp_path / "campaign.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    _empty_postgres(url)
    yield url
    _empty_postgres(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session for service tests; the test commits what it wants to keep."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


# -- mail --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """A real SMTP server on a loopback port, emptied for each test."""
    smtp_server.handler.reset()
    return smtp_server


# -- the app -----------------------------------------------------------------------------------


def make_settings(db_url: str, tmp_path: Path, smtp_port: int, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "development",
        "database_url": db_url,
        "secret_key": TEST_SECRET,
        "data_keys": [TEST_DATA_KEY],
        "base_url": "http://testserver",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_port,
        "smtp_timeout": 5,
        "mail_from": "campaign <noreply@campaign.test>",
        "dev_mail_dir": tmp_path / "mail",
        "upload_dir": tmp_path / "uploads",
        **overrides,
    }
    return load_settings(**values)


@pytest.fixture
def settings(db_url: str, tmp_path: Path, smtp: SmtpServer) -> Settings:
    configured = make_settings(db_url, tmp_path, smtp.port)
    use_keys(configured.data_keys)
    return configured


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


class Browser(TestClient):
    """A client that follows, as a browser does, the one redirect no test is about: a bare
    public address sent on to its `?lang=` address (core/web.py language_in_url). Every other
    redirect is left for the test to check, and `follow_redirects=False` sees this one too."""

    def request(self, method, url, **kwargs):  # type: ignore[no-untyped-def, override]
        response = super().request(method, url, **kwargs)
        location = response.headers.get("location", "")
        if (
            method.upper() in ("GET", "HEAD")
            and response.status_code == 302
            and not isinstance(kwargs.get("follow_redirects"), bool)
            and "lang=" in location
            and location.split("?")[0] == str(url).split("?")[0].split("#")[0]
        ):
            return super().request(method, location, **kwargs)
        return response


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with Browser(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


# -- personas and helpers ----------------------------------------------------------------------


def add_user(engine: Engine, email: str, role: Role = Role.organiser) -> User:
    """An account, owner of the tests' default organisation (where factories put campaigns)."""
    with transaction(engine) as db:
        user = create_organiser(
            db, email=email, password=PASSWORD, role=role, name=email.split("@")[0]
        )
    make_member(engine, user.id)
    return user


@pytest.fixture
def organiser(engine: Engine) -> User:
    """An owner of the tests' organisation, with two-factor login on (an owner sees supporters'
    personal data, which requires it)."""
    return with_two_factor(engine, add_user(engine, "organiser@example.org"))


@pytest.fixture
def admin(engine: Engine) -> User:
    """An administrator, with two-factor login on (admin pages require it)."""
    user = add_user(engine, "admin@example.org", Role.admin)
    return with_two_factor(engine, user)


def with_two_factor(engine: Engine, user: User, secret: str = TOTP_SECRET) -> User:
    """The account with two-factor login set up on the authenticator that holds `secret`."""
    with transaction(engine) as db:
        row = db.get(User, user.id)
        assert row is not None
        row.totp_secret, row.totp_enabled_at = secret, utcnow()
        db.add(row)
    return row


def csrf_from(client: TestClient, path: str) -> str:
    """The CSRF token of the form on a page, as a browser would read it; "" for a page whose
    forms are public ones (they carry none: the Origin check guards them)."""
    response = client.get(path)
    match = CSRF.search(response.text)
    return match.group(1) if match else ""


def log_in(  # type: ignore[no-untyped-def]
    client: TestClient,
    email: str,
    password: str = PASSWORD,
    next: str = "/admin",
    form_on: str = "/login",
):
    """Log in as a person would: password, then (if asked) the code the authenticator shows.
    The CSRF token is read from the page `form_on` (another page when already logged in)."""
    token = csrf_from(client, form_on)
    response = client.post(
        "/login", data={"email": email, "password": password, "next": next, "csrf_token": token}
    )
    pending = PENDING.search(response.text) if response.status_code == 200 else None
    if pending is None:
        return response
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with transaction(engine) as db:
        user = db.exec(select(User).where(User.email == email)).one()
        # Each code works once; tests log in more often than every 30 seconds.
        user.totp_last_step = 0
        code = pyotp.TOTP(user.totp_secret).now()
    return client.post(
        "/login/code",
        data={"pending": pending.group(1), "code": code, "next": next, "csrf_token": token},
    )


@pytest.fixture
def organiser_client(client: TestClient, organiser: User) -> TestClient:
    response = log_in(client, organiser.email)
    assert response.status_code == 303
    return client


@pytest.fixture
def admin_client(client: TestClient, admin: User) -> TestClient:
    response = log_in(client, admin.email)
    assert response.status_code == 303
    return client


def app_routes(app: Any) -> list[tuple[str, set[str], Any]]:
    """(path, methods, dependant) of every route, through included routers too; the public
    writes, plain Starlette routes, with a dependant of their endpoint alone."""
    routes = []
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):  # FastAPI ≥ 0.160 keeps included routers
            routes += [
                (c.path, set(c.methods), c.dependant) for c in route.effective_route_contexts()
            ]
        elif hasattr(route, "dependant"):
            routes.append((route.path, set(route.methods), route.dependant))
        elif isinstance(route, Route):
            routes.append((route.path, set(route.methods or ()), Dependant(call=route.endpoint)))
    return routes
