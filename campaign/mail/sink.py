"""The development mail catcher: an SMTP server on loopback that keeps every message as a file.

`make run` starts it; the app lists the caught messages at /dev/mail (development only).
"""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

NAME_PATTERN = r"[0-9]{13}-[0-9a-f]{32}"


class MaildirHandler:
    """aiosmtpd handler writing each message to `<directory>/<millis>-<uuid>.eml`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._last = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Never two in the same millisecond: names sort in the order the messages came.
        self._last = max(int(time.time() * 1000), self._last + 1)
        name = f"{self._last:013d}-{uuid.uuid4().hex}.eml"
        temporary = self.directory / f".{name}"
        temporary.write_bytes(envelope.original_content or envelope.content)
        temporary.rename(self.directory / name)
        return "250 Message accepted for delivery"


def start_sink(directory: Path, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    """Start the catcher in a background thread; call .stop() on the result to end it."""
    controller = Controller(MaildirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


@dataclass(frozen=True)
class CaughtMail:
    """One caught message, parsed for display."""

    name: str
    subject: str
    to: str
    sender: str
    date: str
    text: str
    html: str | None
    headers: list[tuple[str, str]]


@dataclass(frozen=True)
class CaughtPage:
    """One page of the caught messages, newest first, and where it stands among all."""

    messages: list[CaughtMail]
    total: int
    page: int
    pages: int


def _to_header(path: Path) -> str:
    with path.open("rb") as file:
        headers = BytesHeaderParser(policy=email.policy.default).parse(file)
    return str(headers.get("To", ""))


def list_caught(directory: Path, *, page: int = 1, per_page: int = 50, to: str = "") -> CaughtPage:
    """A page of the caught messages, newest first (file names start with the time they came),
    only those whose To header contains `to` when it is given (any case)."""
    files = sorted(directory.glob("*.eml"), reverse=True) if directory.is_dir() else []
    wanted = to.strip().casefold()
    if wanted:
        files = [path for path in files if wanted in _to_header(path).casefold()]
    pages = max(1, -(-len(files) // per_page))
    page = min(max(1, page), pages)
    shown = files[(page - 1) * per_page : page * per_page]
    return CaughtPage([read_caught(path) for path in shown], len(files), page, pages)


def read_caught(path: Path) -> CaughtMail:
    """Parse one caught message file."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return CaughtMail(
        name=path.stem,
        subject=str(message.get("Subject", "")),
        to=str(message.get("To", "")),
        sender=str(message.get("From", "")),
        date=str(message.get("Date", "")),
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else None,
        headers=[(k, str(v)) for k, v in message.items()],
    )
