"""The database goes away in the middle of the day and comes back: the running app answers a
503 in the reader's language (nothing stored, try again in a minute, the form ready to send
again), the log gets one line per kind of failure instead of a traceback per request, and the
app and the mail worker carry on by themselves once the database is back."""

from __future__ import annotations

import html
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import create_engine, func, make_url, text
from sqlmodel import select

from campaign.core.db import make_engine, transaction, utcnow
from campaign.core.settings import PROJECT_DIR
from campaign.petitions.models import Petition, PetitionStatus, Signature
from tests.factories import organisation
from tests.smtp_server import SmtpServer, free_port
from tests.test_scale_out import _wait_until_up, server_environment

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture
def running(db_url: str, smtp: SmtpServer, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`campaign serve` and `campaign worker` on this database, with their log."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environ = server_environment(db_url, base, smtp)
    engine = make_engine(db_url)
    with transaction(engine) as session:
        session.add(
            Petition(
                slug="outage",
                title="Outage",
                status=PetitionStatus.open,
                published_at=utcnow(),
                organisation_id=organisation(engine),
            )
        )
    engine.dispose()
    log = tmp_path / "processes.log"
    with log.open("wb") as output:
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "campaign", *command],
                cwd=PROJECT_DIR,
                env=environ,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            for command in (["serve", "--port", str(port)], ["worker"])
        ]
    try:
        _wait_until_up(base, log)
        yield base, log
        assert [process.poll() for process in processes] == [None, None], log.read_text()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


@contextmanager
def database_away(db_url: str) -> Iterator[None]:
    """PostgreSQL refuses connections and drops those open (as when it is stopped); SQLite's
    one write lock is held by someone else (a backup, a long migration)."""
    if db_url.startswith("sqlite"):
        holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    url = make_url(db_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = url.database
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
    try:
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def _form(browser: httpx.Client, email: str) -> dict[str, str]:
    page = browser.get("/petitions/outage", follow_redirects=True)  # to its ?lang= address
    assert page.status_code == 200 and "Sign" in page.text, page.text[:300]
    browser.get("/stamp")  # what the form's first focus loads: the start of filling
    return {
        "name": "Patient Signer",
        "email": email,
        "country": "BY",
        "city": "Minsk",
        "consent": "1",
    }


def _signatures(db_url: str) -> int:
    engine = make_engine(db_url)
    with transaction(engine) as session:
        count = session.exec(select(func.count()).select_from(Signature)).one()
    engine.dispose()
    return int(count)


def test_a_database_outage_gets_a_503_to_send_again_and_the_app_and_worker_carry_on(
    running: tuple[str, Path], db_url: str, smtp: SmtpServer
) -> None:
    base, log = running
    browsers = [httpx.Client(base_url=base, timeout=30) for _ in range(4)]
    forms = [_form(browser, f"patient{n}@example.org") for n, browser in enumerate(browsers)]
    with database_away(db_url), ThreadPoolExecutor(4) as pool:
        answers = list(
            pool.map(
                lambda pair: pair[0].post("/petitions/outage/sign", data=pair[1]),
                zip(browsers, forms, strict=True),
            )
        )
    for answer in answers:
        assert answer.status_code == 503, answer.text[:500]
        assert int(answer.headers["retry-after"]) > 0
        assert "Your signature has not been recorded" in answer.text
    assert _signatures(db_url) == 0
    # The page gives back what was typed, ready to go again (no JavaScript needed).
    resend = dict((name, html.unescape(value)) for name, value in HIDDEN.findall(answers[0].text))
    assert resend["email"] == "patient0@example.org" and resend["name"] == "Patient Signer"

    deadline = time.monotonic() + 30
    while (again := browsers[0].post("/petitions/outage/sign", data=resend)).status_code == 503:
        assert time.monotonic() < deadline, "the app did not recover by itself"
        time.sleep(0.5)
    assert again.status_code == 303, again.text[:500]
    assert _signatures(db_url) == 1
    # The worker rode it out too: the confirmation goes to the one who signed.
    deadline = time.monotonic() + 30
    while not smtp.messages and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [message["To"] for message in smtp.messages] == ["patient0@example.org"]
    for browser in browsers:
        browser.close()
    output = log.read_text()
    assert "Traceback" not in output and "patient" not in output
    lines = [line for line in output.splitlines() if "database unreachable" in line]
    assert 1 <= len(lines) <= 8, "\n".join(lines)
