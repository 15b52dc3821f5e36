"""Browser tests: Debian's Chromium, driven by Playwright, against the app served by uvicorn on a
loopback port with the mail worker running and a real SMTP server collecting what it sends.

Each module gets one live site per database (SQLite and PostgreSQL) with the demo content.
Every journey runs in three browsers: a desktop one, one with JavaScript off, and a phone.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import update
from sqlmodel import select

from campaign.accounts.models import User
from campaign.core.crypto import use_keys
from campaign.core.db import make_engine, transaction
from campaign.core.migrate import upgrade
from campaign.core.settings import PROJECT_DIR
from campaign.letters.models import LetterCampaign
from campaign.site.demo import load_demo
from tests.conftest import (
    TEST_DATA_KEY,
    TEST_SECRET,
    _empty_postgres,
    make_settings,
    with_two_factor,
)
from tests.e2e.helpers import (
    DEMO_OWNER,
    SCRIPTS_OFF,
    Site,
    assert_log_keeps_no_personal_data,
    save_failure_artifacts,
)
from tests.smtp_server import SmtpServer

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As root there is no sandbox; the rest keeps Chromium from calling home (the network is closed
# here, and a supporter's browser is not ours to test).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_DIR / "test-artifacts" / "e2e"

# What a journey runs in: a desktop browser, the same without JavaScript (Tor Browser's safest
# level, or a reader who turned it off), and a cheap phone.
VARIANTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "no-js": {"viewport": {"width": 1280, "height": 800}, "java_script_enabled": False},
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(url_host: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app stopped at start:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection((url_host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the app did not start in 30 s:\n{log.read_text()[-3000:]}")


def _prepare(database_url: str, tmp: Path, smtp_port: int) -> None:
    """Migrate, load the demo, and let the demo's letters go out at any hour of the test run."""
    upgrade(database_url)
    settings = make_settings(database_url, tmp, smtp_port)
    # The demo's names are encrypted with the site's key, not var/data_key of a dev machine
    # (no other test may have installed the test keys when the browser tests run alone).
    use_keys(settings.data_keys)
    engine = make_engine(database_url)
    with transaction(engine) as session:
        load_demo(session, settings=settings)
    with transaction(engine) as session:
        owner = session.exec(select(User).where(User.email == DEMO_OWNER)).one()
    with_two_factor(engine, owner)
    with transaction(engine) as session:
        session.execute(
            update(LetterCampaign).values(
                send_from_hour=0, send_until_hour=24, hourly_cap=1000, daily_cap=10000
            )
        )
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    smtp_server: SmtpServer,
) -> Iterator[Site]:
    """The demo site served by `campaign serve` and `campaign worker`, on each database."""
    tmp = tmp_path_factory.mktemp(f"site-{request.param}")
    if request.param == "sqlite":
        database_url = f"sqlite:///{tmp / 'campaign.db'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
        _empty_postgres(database_url)
    smtp_server.handler.reset()
    _prepare(database_url, tmp, smtp_server.port)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    environ = {
        **os.environ,
        "ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEY,
        "BASE_URL": url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "SMTP_TIMEOUT": "5",
        "MAIL_FROM": "campaign <noreply@campaign.test>",
        "UPLOAD_DIR": str(tmp / "uploads"),
        "DEV_MAIL_DIR": str(tmp / "mail"),
        # A browser fills a form faster than a person, and every journey comes from 127.0.0.1.
        "SIGN_MIN_FILL_SECONDS": "0",
        "SIGN_LIMIT_BURST": "1000/minute",
        "SIGN_LIMIT_SUSTAINED": "10000/hour",
        "SIGN_MAIL_LIMIT_PER_CLIENT": "10000/hour",
        "WORKER_JOBS_EVERY": "1",
    }
    log = tmp / "site.log"
    site = Site(url=url, database_url=database_url, smtp=smtp_server, log=log)
    with log.open("wb") as output:
        command = [sys.executable, "-m", "campaign"]
        for args in (["serve", "--port", str(port)], ["worker"]):
            site.processes.append(
                subprocess.Popen(
                    [*command, *args],
                    cwd=PROJECT_DIR,
                    env=environ,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        _wait_for("127.0.0.1", port, site.processes[0], log)
        yield site
    finally:
        site.stop()
        if request.param == "postgresql":
            _empty_postgres(database_url)
    assert_log_keeps_no_personal_data(log)


# Per module, not per session: while Playwright runs, its event loop is the running loop of the
# test process, and the other test files' asyncio.run() would fail behind it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(params=list(VARIANTS))
def variant(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def context(browser: Browser, variant: str) -> Iterator[BrowserContext]:
    context = browser.new_context(**VARIANTS[variant], locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture
def page(request: pytest.FixtureRequest, context: BrowserContext, variant: str) -> Iterator[Page]:
    """A fresh tab; when the test fails, every page open in its browser (this tab, and any
    other it opened) is saved as a full-page screenshot and its HTML in test-artifacts/e2e/."""
    page = context.new_page()
    if VARIANTS[variant].get("java_script_enabled") is False:
        SCRIPTS_OFF.add(id(page))
    yield page
    SCRIPTS_OFF.discard(id(page))
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::")[-1])
        save_failure_artifacts(context, name, ARTIFACTS)
    page.close()
