"""What the browser journeys share: the live site's handle, the accessibility check, and small
waits. Kept out of conftest.py so tests and fixtures import one module (pytest loads a conftest
under its own name, which would give the tests a second copy of its state)."""

from __future__ import annotations

import io
import re
import subprocess
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pyotp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page
from pypdf import PdfReader
from sqlmodel import Session, select

from campaign.accounts.models import User
from campaign.core.db import make_engine, transaction
from tests.smtp_server import SmtpServer

LINK = re.compile(r"https?://127\.0\.0\.1:\d+/[^\s\"'<>]+")


@dataclass
class Site:
    """The app being served, its mail server and its logs."""

    url: str
    database_url: str
    smtp: SmtpServer
    log: Path
    seen: int = 0
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def mail_to(self, address: str, *, timeout: float = 20.0, after: int = 0) -> EmailMessage:
        """The latest message the SMTP server received for this address (waiting for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in reversed(self.smtp.handler.messages[after:]):
                if address in str(message["To"]):
                    return message
            time.sleep(0.2)
        got = [str(m["To"]) for m in self.smtp.handler.messages]
        raise AssertionError(
            f"no mail to {address} within {timeout} s; got mail to {got}{self.errors()}"
        )

    def mail_where(self, check: Any, *, timeout: float = 30.0, what: str = "") -> EmailMessage:
        """The first message the SMTP server received that passes check (waiting for it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.smtp.handler.messages):
                if check(message):
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no mail {what} within {timeout} s{self.errors()}")

    def errors(self) -> str:
        """The site's last logged error, to say why a mail never came (a job failing, say)."""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        starts = [n for n, line in enumerate(lines) if " ERROR " in line]
        return "; the site logged:\n" + "\n".join(lines[starts[-1] :][:30]) if starts else ""

    def link_in(self, message: EmailMessage, path_part: str) -> str:
        """The first link in the mail whose address contains path_part."""
        body = message.get_body(("plain",))
        assert body is not None
        for link in LINK.findall(body.get_content()):
            if path_part in link:
                return str(link)
        raise AssertionError(f"no link with {path_part!r} in the mail")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


_axe = Axe()
# Pages (by id) with JavaScript off: page.evaluate() would wait for ever there, so axe is not run.
SCRIPTS_OFF: set[int] = set()


def assert_accessible(page: Page) -> None:
    """No axe-core violation of serious or critical impact on the page as it is now.

    axe needs scripts, so a browser with JavaScript off is checked by its sibling variants.
    """
    if id(page) in SCRIPTS_OFF:
        return
    results = _axe.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility problems on {page.url}:\n" + "\n".join(bad)


# Every supporter address a journey typed: none may show up in the site's log.
USED_EMAILS: set[str] = set()


def unique_email(page: Page, who: str) -> str:
    """An address no other test or variant uses."""
    email = f"{who}-{int(time.time() * 1000)}-{id(page) % 10000}@example.org"
    USED_EMAILS.add(email)
    return email


# Every name a journey typed, and what it printed into PDFs: none of it may reach the log.
USED_NAMES: set[str] = set()
# A name in each script the PDFs must print; each browser variant writes under another one, so
# a run on each database makes PDFs (and log lines, if any) with all three.
NAMES = {"desktop": "Алеся Пісьменніца", "no-js": "Žemaitė Šimkūnaitė", "phone": "王小明"}


def typed_name(variant: str) -> str:
    """The name this browser variant types; remembered for the log scan."""
    name = NAMES[variant]
    USED_NAMES.add(name)
    return name


def _name_parts(name: str) -> set[str]:
    """Each word of a name, and each Chinese, Japanese or Korean character with its escape
    (fpdf2 listed missing glyphs as '王' (\\u738b))."""
    parts = {word for word in name.split() if len(word) > 1}
    for char in name:
        if ord(char) > 0x2E7F:
            parts |= {char, f"\\u{ord(char):04x}"}
    return parts


def assert_log_keeps_no_personal_data(log: Path) -> None:
    """The app's and the worker's log (access lines included) name none of the addresses and
    none of the names, in any script, and libraries that quote a PDF's text say nothing."""
    text = log.read_text(errors="replace")
    leaked = sorted(email for email in USED_EMAILS if email in text)
    assert not leaked, f"{log} names supporters: {leaked[:3]}"
    parts = {part for name in USED_NAMES for part in _name_parts(name)}
    leaked = sorted(part for part in parts if part in text)
    assert not leaked, f"{log} names supporters: {leaked[:3]}"
    chatty = [line for line in text.splitlines() if " fontTools." in line or " fpdf" in line]
    assert not chatty, f"{log} quotes a PDF's glyphs: {chatty[:3]}"


def wait_until(check: Any, timeout: float = 20.0) -> Any:
    """Poll check() until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError("timed out waiting")


def count_rows(database_url: str, model: Any, *where: Any) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return len(session.exec(select(model).where(*where)).all())
    finally:
        engine.dispose()


def pdf_text(data: bytes) -> str:
    """The text a reader would copy out of a PDF."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def download(page: Page, click: Any) -> bytes:
    """What the browser saves when click() starts a download."""
    with page.expect_download() as started:
        click()
    path = started.value.path()
    return Path(path).read_bytes()


def sign_petition(page: Page, email: str, name: str = "Alesia Test", country: str = "LT") -> None:
    """Fill and send the sign form on the petition page open in the tab (fields found by id, so
    the same steps work in every language)."""
    page.locator("#field-name").fill(name)
    USED_EMAILS.add(email)
    page.locator("#field-email").fill(email)
    page.locator("#field-country").select_option(country)
    page.locator("#field-consent").check()
    page.locator(":is(form[action$='/sign'], form[action*='/sign?']) button[type=submit]").click()
    page.wait_for_load_state()


def sign_in_by_mailed_link(page: Page, site: Site, email: str) -> None:
    """On the volunteer sign-in page open in the tab: ask for a link, open it, press the button."""
    page.get_by_role("textbox", name="E-mail address").fill(email)
    page.get_by_role("button", name="Mail me a sign-in link").click()
    page.wait_for_load_state()
    page.goto(site.link_in(site.mail_to(email), "/volunteer/signin"))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


# The demo's owner, as `campaign demo` prints it; the browser tests give the account two-factor
# login (tests/e2e/conftest.py), as an owner needs to see supporters' names.
DEMO_OWNER = "demo@example.org"
DEMO_PASSWORD = "demo-password-2026"


def log_in_as_demo_owner(page: Page, site: Site, *, check: Any = None) -> None:
    """Log in as the demo's owner: password, then the code of the authenticator app."""
    log_in_as(page, site, DEMO_OWNER, DEMO_PASSWORD, check=check)


def log_in_as(page: Page, site: Site, email: str, password: str, *, check: Any = None) -> None:
    """Log in with a password and then the code of the account's authenticator app (read from
    the database, as the app on a phone would show it)."""
    page.goto(site.url + "/login")
    if check is not None:
        check(page)
    page.get_by_role("textbox", name="E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    engine = make_engine(site.database_url)
    try:
        with transaction(engine) as session:
            user = session.exec(select(User).where(User.email == email)).one()
            user.totp_last_step = 0  # each code works once; journeys log in more often
            code = pyotp.TOTP(user.totp_secret).now()
    finally:
        engine.dispose()
    if check is not None:
        check(page)
    page.get_by_role("textbox", name="Code").fill(code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "/admin" in page.url, page.url


def save_failure_artifacts(context: BrowserContext, name: str, directory: Path) -> list[Path]:
    """A full-page screenshot and the HTML of every page open in the browser, named after the
    failed test (`name.png`, then `name-2.png`… for further tabs); the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for number, page in enumerate(context.pages, start=1):
        if page.is_closed():
            continue
        stem = name if number == 1 else f"{name}-{number}"
        picture = directory / f"{stem}.png"
        page.screenshot(path=str(picture), full_page=True)
        (directory / f"{stem}.html").write_text(page.content())
        written += [picture, directory / f"{stem}.html"]
    return written
