"""The webhook sender, run by `campaign worker` beside the mail: claims due deliveries with the
outbox's leases (core/leases.py), posts each signed, retries with exponential backoff and jitter,
and after a day of failures leaves a dead letter for the organisation's owners to send again.

At least once: a sender that dies after the receiver's 2xx and before its mark leaves the row to
be posted again after its lease, under the same Webhook-Id, which receivers use to drop copies.
Redirects are not followed and, outside development, only public addresses are called (checked
after resolving, and the connection goes to the address checked).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import logging
import socket
import ssl
import time
import uuid
from collections import Counter
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from campaign.core import leases, outage
from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.hooks.models import CLAIMABLE, DeliveryStatus, Webhook, WebhookDelivery
from campaign.hooks.service import body_of, signature
from campaign.hooks.urls import RefusedAddress, allows_local, public_addresses

log = logging.getLogger("campaign.hooks")

TIMEOUT = 10.0  # seconds to connect, and again to read the answer
USER_AGENT = "campaign-webhooks/1"


class DeliveryFailed(Exception):
    """The receiver did not take the delivery; the message is ours (never its reply body)."""


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one checked address, with the certificate checked for the URL's host name."""

    def __init__(
        self, host: str, port: int, address: str, *, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, *, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def post(url: str, body: bytes, headers: dict[str, str], *, local: bool) -> int:
    """POST the body; the HTTP status (a redirect is an answer, not followed)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    if parts.scheme not in ("http", "https") or (not https and not local):
        raise DeliveryFailed("only https:// is called outside development")
    address = host if local else public_addresses(host, port)[0]
    connection: http.client.HTTPConnection
    if https:
        context = ssl.create_default_context()
        connection = _PinnedHTTPSConnection(host, port, address, timeout=TIMEOUT, context=context)
    else:
        connection = _PinnedHTTPConnection(host, port, address, timeout=TIMEOUT)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # drained, never stored: it may echo what we sent
        return response.status
    finally:
        connection.close()


class HookSender:
    """Delivers due webhook deliveries; several may run at once, each row is claimed by one."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        batch_size: int = 20,
        backoff_base: float = 30.0,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.batch_size = batch_size
        self.backoff_base = backoff_base
        self.token = uuid.uuid4().hex
        # Each post may take two timeouts (connect, then the answer): the lease outlasts a batch.
        self.lease = timedelta(seconds=batch_size * TIMEOUT * 2 + 60)
        self._batch: Counter[str] = Counter()
        self._stopping = asyncio.Event()

    def claim(self) -> list[tuple[WebhookDelivery, Webhook]]:
        """Take up to batch_size due deliveries for this sender, with their webhooks."""
        ids = leases.claim(
            self.engine,
            WebhookDelivery,
            token=self.token,
            lease=self.lease,
            limit=self.batch_size,
            now=utcnow(),
            queued=DeliveryStatus.queued,
            sending=DeliveryStatus.sending,
            where=(CLAIMABLE,),
        )
        if not ids:
            return []
        with Session(self.engine, expire_on_commit=False) as session:
            rows = session.exec(
                select(WebhookDelivery, Webhook)
                .join(Webhook, col(Webhook.id) == col(WebhookDelivery.webhook_id))
                .where(
                    col(WebhookDelivery.id).in_(ids),
                    col(WebhookDelivery.claimed_by) == self.token,
                    col(WebhookDelivery.status) == DeliveryStatus.sending,
                )
                .order_by(col(WebhookDelivery.id))
            ).all()
        return [(delivery, hook) for delivery, hook in rows]

    def _finish(self, delivery: WebhookDelivery, **values: object) -> None:
        with Session(self.engine) as session:
            session.execute(
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == delivery.id,
                    col(WebhookDelivery.claimed_by) == self.token,
                )
                .values(claimed_by=None, claimed_until=None, **values)
            )
            session.commit()

    def send(self, delivery: WebhookDelivery, hook: Webhook) -> bool:
        """Post one claimed delivery and record the outcome; True when the receiver took it."""
        body = body_of(delivery)
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "Webhook-Id": delivery.key,
            "Webhook-Event": delivery.event,
            "Webhook-Timestamp": str(timestamp),
            "Webhook-Signature": signature(hook.secret, timestamp, body),
        }
        permanent = False
        try:
            status = post(hook.url, body, headers, local=allows_local(self.settings))
            if 200 <= status < 300:
                self._batch["delivered"] += 1
                self._finish(
                    delivery,
                    status=DeliveryStatus.delivered,
                    delivered_at=utcnow(),
                    last_error=None,
                )
                return True
            error = f"HTTP {status}"
        except (RefusedAddress, DeliveryFailed) as exc:
            error, permanent = str(exc), True
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # one bad delivery must not stop the worker, nor its mail
            log.warning("webhook delivery %s cannot be sent: %s", delivery.id, type(exc).__name__)
            error, permanent = f"cannot be sent: {type(exc).__name__}", True
        self._failed(delivery, error[:300], permanent=permanent or not hook.active)
        return False

    def _failed(self, delivery: WebhookDelivery, error: str, *, permanent: bool) -> None:
        now = utcnow()
        delay = leases.backoff_delay(delivery.attempts, self.backoff_base, cap=3600, jitter=True)
        if permanent or now + timedelta(seconds=delay) > delivery.give_up_at:
            log.warning("webhook delivery %s is a dead letter: %s", delivery.id, error)
            self._batch["dead"] += 1
            self._finish(delivery, status=DeliveryStatus.dead, last_error=error)
            return
        self._batch["retried"] += 1
        self._finish(
            delivery,
            status=DeliveryStatus.queued,
            next_attempt_at=now + timedelta(seconds=delay),
            last_error=error,
        )

    def run_once(self) -> int:
        """Claim one batch and post it; how many deliveries it handled (0: nothing due)."""
        rows = self.claim()
        self._batch.clear()
        for delivery, hook in rows:
            self.send(delivery, hook)
        if rows:
            counts = self._batch
            log.info(
                "webhook batch: %d delivered, %d retried, %d dead",
                counts["delivered"],
                counts["retried"],
                counts["dead"],
            )
        return len(rows)

    def drain(self) -> int:
        """Post until nothing is due; how many deliveries were handled."""
        total = 0
        while handled := self.run_once():
            total += handled
        return total

    def stop(self) -> None:
        """Ask the loop to end after the batch in hand."""
        self._stopping.set()

    async def run(self, *, poll_interval: float = 1.0) -> None:
        """Post forever (until stop()), on a thread of its own so that mail keeps going."""
        while not self._stopping.is_set():
            pause = poll_interval
            try:
                if await asyncio.to_thread(self.run_once):
                    continue
            except Exception as exc:
                if not outage.unreachable(exc):
                    raise
                # The database went away: one line per interval, then try again later.
                outage.quiet.report("webhook sender", outage.kind(exc))
                pause = outage.RETRY_AFTER / 3
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=pause)
