"""A real SMTP server (aiosmtpd on a loopback port) that records what it receives.

Tests can script replies: a temporary or permanent refusal for a recipient, or a dropped
connection in the middle of a batch.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Envelope:
    """What the client said around a message: RCPT TO addresses, and whether it used SMTPUTF8."""

    rcpt_tos: tuple[str, ...]
    smtputf8: bool


class RecordingHandler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []
        self.rcpt_replies: dict[str, list[str]] = defaultdict(list)
        self.mail_replies: dict[str, str] = {}
        self.drop_after: int | None = None
        self.refuse_sender_after: int | None = None
        self.connections = 0
        self.delay = 0.0
        self.hold_until_connections = 0

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
            self.rcpt_replies.clear()
            self.mail_replies.clear()
            self.drop_after = None
            self.refuse_sender_after = None
            self.connections = 0
            self.delay = 0.0
            self.hold_until_connections = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        with self.lock:
            self.connections += 1
        # Holding the greeting until N clients are connected makes them all start together.
        for _ in range(600):
            if self.connections >= self.hold_until_connections:
                break
            await asyncio.sleep(0.05)
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            reply = self.mail_replies.get(address)
            if (
                self.refuse_sender_after is not None
                and len(self.messages) >= self.refuse_sender_after
            ):
                reply = "550 5.7.1 Sender no longer allowed"
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        with self.lock:
            scripted = self.rcpt_replies.get(address)
            if scripted:
                reply = scripted[0]
                if len(scripted) > 1 or not reply.startswith("5"):
                    scripted.pop(0)
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.drop_after is not None and len(self.messages) >= self.drop_after:
                self.drop_after = None  # drop once, then behave
                server.transport.close()
                return "421 closing"
            message = email.message_from_bytes(
                envelope.original_content or envelope.content, policy=email.policy.default
            )
            assert isinstance(message, EmailMessage)
            self.messages.append(message)
            self.envelopes.append(Envelope(tuple(envelope.rcpt_tos), bool(envelope.smtp_utf8)))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    def __init__(self, *, smtputf8: bool = False) -> None:
        """`smtputf8`: offer SMTPUTF8 (RFC 6531), as relays that take international addresses do."""
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)
