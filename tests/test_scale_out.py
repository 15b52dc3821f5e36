"""Two app processes and two mail workers on one PostgreSQL: a burst of signatures through both
ends up exact — one row and one confirmation per address, every mail sent once, counts right —
and both show that total on the public pages they read through the read replica's engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import text

from campaign.core.db import make_engine, transaction, utcnow
from campaign.core.settings import PROJECT_DIR
from campaign.petitions.models import Petition, PetitionStatus
from tests.conftest import TEST_DATA_KEY, TEST_SECRET, _empty_postgres
from tests.factories import organisation
from tests.smtp_server import SmtpServer, free_port

LINK = re.compile(r"(http://\S+/confirm\?token=\S+)")
SUPPORTERS = 40
TWICE = 10  # the first ten sign on both servers at once, as a double click across tabs would


def server_environment(database_url: str, base_url: str, smtp: SmtpServer) -> dict[str, str]:
    """What `campaign serve` and `campaign worker` run with in these tests: a burst's limits
    and fill time out of the way, the worker's jobs every second."""
    return {
        **os.environ,
        "ENV": "development",
        "DATABASE_URL": database_url,
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEY,
        "BASE_URL": base_url,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SIGN_MIN_FILL_SECONDS": "0",
        "SIGN_LIMIT_BURST": "10000/minute",
        "SIGN_LIMIT_SUSTAINED": "10000/hour",
        "WORKER_JOBS_EVERY": "1",
    }


@pytest.fixture
def two_servers(
    postgres_url: str, smtp: SmtpServer, tmp_path: Path
) -> Iterator[tuple[list[str], Path]]:
    """Two `campaign serve` processes and two `campaign worker` processes."""
    _empty_postgres(postgres_url)
    ports = [free_port(), free_port()]
    environ = server_environment(postgres_url, f"http://127.0.0.1:{ports[0]}", smtp)
    # Public pages through the read-only replica engine, as a deployment with one would.
    environ["DATABASE_READ_URL"] = postgres_url
    log = tmp_path / "processes.log"
    commands = [["serve", "--port", str(port)] for port in ports] + [["worker"], ["worker"]]
    with log.open("wb") as output:
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "campaign", *command],
                cwd=PROJECT_DIR,
                env=environ,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            for command in commands
        ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            _wait_until_up(base, log)
        yield bases, log
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        _empty_postgres(postgres_url)


def _wait_until_up(base: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"an app process did not start:\n{log.read_text()[-3000:]}")


def _sign(base: str, email: str) -> int:
    with httpx.Client(base_url=base, timeout=30) as browser:
        page = browser.get("/petitions/burst", follow_redirects=True)  # to its ?lang= address
        assert page.status_code == 200
        browser.get("/stamp")  # what the form's first focus loads: the start of filling
        form = {
            "name": "Burst Signer",
            "email": email,
            "country": "BY",
            "city": "Minsk",
            "consent": "1",
        }
        return browser.post("/petitions/burst/sign", data=form).status_code


def _confirm(base: str, link: str) -> int:
    path = link.split("://", 1)[1].split("/", 1)[1]
    with httpx.Client(base_url=base, timeout=30) as browser:
        page = browser.get(f"/{path}")
        token = re.search(r'name="token" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        form = {"token": token.group(1)}  # a public form: no CSRF token, the Origin rule
        return browser.post(f"/{path.split('?')[0]}", data=form).status_code


def _mails(smtp: SmtpServer, expected: int, timeout: float = 60) -> list:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while len(smtp.messages) < expected and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.5)  # a duplicate would arrive now
    return smtp.messages


def test_a_burst_through_two_app_processes_and_two_workers_ends_up_exact(
    two_servers: tuple[list[str], Path], postgres_url: str, smtp: SmtpServer
) -> None:
    bases, log = two_servers
    engine = make_engine(postgres_url)
    petition = {"slug": "burst", "title": "Burst", "status": PetitionStatus.open}
    with transaction(engine) as session:
        session.add(
            Petition(**petition, published_at=utcnow(), organisation_id=organisation(engine))  # type: ignore[arg-type]
        )
    emails = [f"burst-{n}@example.org" for n in range(SUPPORTERS)]
    attempts = []
    for n, email in enumerate(emails):
        attempts.append((bases[n % 2], email))
        if n < TWICE:  # the same address at the same moment through the other process
            attempts.append((bases[(n + 1) % 2], email))
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda attempt: _sign(*attempt), attempts))
    assert statuses == [303] * len(attempts), log.read_text()[-3000:]

    # A repeat of a pending signature mails its link again: one mail per attempt, none twice.
    mails = _mails(smtp, len(attempts))
    assert len(mails) == len(attempts)
    assert len({m["Message-ID"] for m in mails}) == len(mails)
    per_address = Counter(str(m["To"]) for m in mails)
    assert per_address == Counter({**dict.fromkeys(emails, 1), **dict.fromkeys(emails[:TWICE], 2)})
    with engine.connect() as connection:
        rows, queued = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM signature),"
                " (SELECT count(*) FROM outbox_message WHERE status <> 'sent')"
            )
        ).one()
    assert (rows, queued) == (SUPPORTERS, 0)

    links = {}
    for mail in mails:
        found = LINK.search(mail.get_body(("plain",)).get_content())
        assert found
        links.setdefault(str(mail["To"]), found.group(1))
    with ThreadPoolExecutor(max_workers=12) as pool:
        done = list(
            pool.map(
                lambda n_link: _confirm(bases[n_link[0] % 2], n_link[1]), enumerate(links.values())
            )
        )
    assert all(status in (200, 303) for status in done)
    with engine.connect() as connection:
        counted, total, tallied = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM signature WHERE status = 'confirmed'),"
                " (SELECT signature_count FROM petition WHERE slug = 'burst'),"
                " (SELECT sum(count) FROM petition_tally)"
            )
        ).one()
    engine.dispose()
    assert counted == total == tallied == SUPPORTERS
    # Both front doors show the same total on the public pages (read on the replica engine).
    for base in bases:
        assert httpx.get(f"{base}/api/petitions/burst").json()["signature_count"] == SUPPORTERS
