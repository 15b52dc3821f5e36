"""The mail worker: claims due outbox rows, sends them over one reused SMTP connection.

A worker selects due rows, normal priority before low and oldest first within each (FOR UPDATE
SKIP LOCKED on PostgreSQL), and moves them from `queued` to `sending` under its own token with a
lease; the UPDATE re-checks that they are still due, so two workers never hold the same row.
Before each message the worker checks its lease still has time for the slowest possible send;
when it runs short, the rest of the batch is renewed in one statement and a row whose lease was
taken over is skipped. Rows the server accepted are marked `sent` together, at most a second
or MARK_EVERY messages after, and always before the worker claims again or stops. Only a worker
that dies between the server's "250 OK" and that commit can leave rows to be sent again after
their lease; the stable Message-ID lets receivers drop the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import aiosmtplib
from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from campaign.core import leases, outage
from campaign.core.db import utcnow
from campaign.core.leases import backoff_delay
from campaign.core.settings import Settings, SmtpSecurity
from campaign.mail.messages import build_message, envelope
from campaign.mail.models import CLAIMABLE, MailStatus, OutboxMessage

log = logging.getLogger("campaign.mail")

MAX_ATTEMPTS = 8
MARK_EVERY = 25  # accepted messages marked sent in one statement
MARK_WITHIN = 1.0  # seconds an accepted message may wait for its mark


class SmtpUnavailable(Exception):
    """The SMTP server cannot be reached or refuses our login; one line says why."""


@dataclass(frozen=True)
class Failure:
    """Why a message was not sent: permanent failures are not tried again."""

    permanent: bool
    reason: str

    @property
    def summary(self) -> str:
        """The reply code or error kind alone: servers' replies may quote the recipient."""
        return self.reason.split(":")[0].split(" ")[0]


class WorkerFault(Exception):
    """Our side is at fault (server unreachable, sender or login refused), not the message."""


def classify(exc: BaseException) -> Failure:
    """Temporary (4xx, lost connection, timeout) or permanent (5xx), with the server's reply."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        exc = exc.recipients[0]
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        reason = f"{exc.code} {exc.message}".strip()
        return Failure(permanent=500 <= exc.code < 600, reason=reason)
    return Failure(permanent=False, reason=f"{type(exc).__name__}: {exc}".strip())


class MailWorker:
    """Sends the outbox; run several at once, each message still goes out once."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        *,
        batch_size: int = 50,
        backoff_base: float = 30.0,
        periodic: list[Callable[[], object]] | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.batch_size = batch_size
        self.backoff_base = backoff_base
        self.periodic = periodic or []
        self.token = uuid.uuid4().hex
        # One message may take four timeouts (MAIL, RCPT, DATA, end of data): a message is
        # begun only while the lease has that long left (and a half-minute to spare), so a slow
        # batch never sends a row another worker took after the lease ran out.
        self.margin = timedelta(seconds=settings.smtp_timeout * 4 + 30)
        self.lease = self.margin + timedelta(seconds=60)
        self._held: set[int] = set()  # claimed rows not yet finished, leased until _held_until
        self._held_until = utcnow()
        self._accepted: list[int] = []  # accepted by the server, not yet marked sent
        self._accepted_since = 0.0
        self._batch: Counter[str] = Counter()  # what became of this batch's rows, for its log line
        self._smtp: aiosmtplib.SMTP | None = None
        self._stopping = asyncio.Event()

    # -- SMTP connection -----------------------------------------------------------------------

    def _client(self) -> aiosmtplib.SMTP:
        settings = self.settings
        context = ssl.create_default_context()
        return aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            use_tls=settings.smtp_security is SmtpSecurity.tls,
            start_tls=settings.smtp_security is SmtpSecurity.starttls,
            timeout=settings.smtp_timeout,
            tls_context=context,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
        )

    async def connection(self) -> aiosmtplib.SMTP:
        """The open connection, opened (and logged in) the first time or after it was lost."""
        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        client = self._client()
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise SmtpUnavailable(f"SMTP login refused: {exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            where = f"{self.settings.smtp_host}:{self.settings.smtp_port}"
            raise SmtpUnavailable(f"cannot reach the SMTP server at {where} ({exc})") from None
        self._smtp = client
        return client

    async def close(self) -> None:
        """Say QUIT to the server, if connected."""
        if self._smtp is not None and self._smtp.is_connected:
            try:
                await self._smtp.quit()
            except (aiosmtplib.SMTPException, OSError):
                self._smtp.close()
        self._smtp = None

    def _drop_connection(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
        self._smtp = None

    # -- the outbox ----------------------------------------------------------------------------

    def claim(self) -> list[OutboxMessage]:
        """Take up to batch_size due rows (or rows whose worker's lease ran out) for this worker."""
        now = utcnow()
        # CLAIMABLE is implied by "due"; spelled out, with literal values, so that both
        # databases see the claim can read the partial index ix_outbox_claim in its order.
        ids = leases.claim(
            self.engine,
            OutboxMessage,
            token=self.token,
            lease=self.lease,
            limit=self.batch_size,
            now=now,
            queued=MailStatus.queued,
            sending=MailStatus.sending,
            where=(CLAIMABLE,),
            order_by=(col(OutboxMessage.priority), col(OutboxMessage.id)),
        )
        if not ids:
            return []
        with Session(self.engine, expire_on_commit=False) as session:
            rows = list(
                session.execute(
                    select(OutboxMessage)
                    .where(
                        col(OutboxMessage.id).in_(ids),
                        col(OutboxMessage.claimed_by) == self.token,
                        col(OutboxMessage.status) == MailStatus.sending,
                    )
                    .order_by(col(OutboxMessage.priority), col(OutboxMessage.id))
                )
                .scalars()
                .all()
            )
        self._held = {row.id for row in rows if row.id is not None}
        self._held_until = now + self.lease
        return rows

    def _finish(self, row: OutboxMessage, **values: object) -> None:
        with Session(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id, col(OutboxMessage.claimed_by) == self.token)
                .values(claimed_by=None, claimed_until=None, **values)
            )
            session.commit()

    def _holds(self, row: OutboxMessage) -> bool:
        """Whether the row is still ours with time left to send it.

        While the lease has more than the slowest send left, no other worker can have taken
        the row and no statement is needed. Otherwise the rest of the batch is renewed in one
        statement, which tells which rows are still ours.
        """
        now = utcnow()
        if self._held and now + self.margin >= self._held_until:
            with Session(self.engine) as session:
                renewed = session.execute(
                    update(OutboxMessage)
                    .where(
                        col(OutboxMessage.id).in_(sorted(self._held)),
                        col(OutboxMessage.claimed_by) == self.token,
                        col(OutboxMessage.status) == MailStatus.sending,
                    )
                    .values(claimed_until=now + self.lease)
                    .returning(col(OutboxMessage.id))
                )
                self._held = {int(row_id) for row_id in renewed.scalars().all()}
                session.commit()
            self._held_until = now + self.lease
        return row.id in self._held

    def mark_accepted(self) -> None:
        """Mark the messages the server accepted as sent, in one statement."""
        if not self._accepted:
            return
        with Session(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id).in_(self._accepted),
                    col(OutboxMessage.claimed_by) == self.token,
                )
                .values(
                    status=MailStatus.sent,
                    sent_at=utcnow(),
                    claimed_by=None,
                    claimed_until=None,
                    last_error=None,
                )
            )
            session.commit()
        self._accepted = []

    def release(self, rows: list[OutboxMessage], *, reason: str, delay: float) -> None:
        """Give rows back to the queue without counting the attempt (our fault, not theirs)."""
        if not rows:
            return
        with Session(self.engine) as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id).in_([row.id for row in rows]),
                    col(OutboxMessage.claimed_by) == self.token,
                )
                .values(
                    status=MailStatus.queued,
                    claimed_by=None,
                    claimed_until=None,
                    attempts=OutboxMessage.attempts - 1,
                    next_attempt_at=utcnow() + timedelta(seconds=delay),
                    last_error=reason[:2000],
                )
            )
            session.commit()

    def _mark_sent(self, row: OutboxMessage) -> None:
        self._held.discard(row.id)
        self._batch["sent"] += 1
        if not self._accepted:
            self._accepted_since = time.monotonic()
        self._accepted.append(row.id)  # type: ignore[arg-type]
        if (
            len(self._accepted) >= MARK_EVERY
            or time.monotonic() - self._accepted_since >= MARK_WITHIN
        ):
            self.mark_accepted()

    def _mark_failed(self, row: OutboxMessage, failure: Failure) -> None:
        self._held.discard(row.id)
        if failure.permanent or row.attempts >= MAX_ATTEMPTS:
            log.warning("mail %s failed for good: %s", row.id, failure.summary)
            self._batch["failed"] += 1
            self._finish(row, status=MailStatus.failed, last_error=failure.reason[:2000])
            return
        delay = backoff_delay(row.attempts, self.backoff_base)
        log.debug("mail %s will be retried in %.0fs: %s", row.id, delay, failure.summary)
        self._batch["retried"] += 1
        self._finish(
            row,
            status=MailStatus.queued,
            next_attempt_at=utcnow() + timedelta(seconds=delay),
            last_error=failure.reason[:2000],
        )

    async def send(self, row: OutboxMessage) -> bool:
        """Send one claimed row and record the outcome; True when the server accepted it.

        An accepted row is marked sent with the next few (mark_accepted() marks them now).

        Raises WorkerFault when the fault is ours (no server, sender or login refused): the
        caller then gives the batch back without counting it against the messages.
        """
        try:
            message = build_message(row, self.settings)
        except Exception as exc:  # a template that cannot render will not render next time either
            self._mark_failed(row, Failure(permanent=True, reason=f"cannot render: {exc}"))
            return False
        if not self._holds(row):
            return False  # our lease ran out and another worker has it now
        try:
            smtp = await self.connection()
            recipients, options = envelope(row, message)
            await smtp.send_message(message, recipients=recipients, mail_options=options)
        except SmtpUnavailable as exc:
            raise WorkerFault(str(exc)) from None
        except (aiosmtplib.SMTPSenderRefused, aiosmtplib.SMTPAuthenticationError) as exc:
            await self._reset()
            raise WorkerFault(f"{exc.code} {exc.message}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            failure = classify(exc)
            if isinstance(exc, aiosmtplib.SMTPResponseException | aiosmtplib.SMTPRecipientsRefused):
                await self._reset()
            else:
                self._drop_connection()
            self._mark_failed(row, failure)
            return False
        self._mark_sent(row)
        return True

    async def _reset(self) -> None:
        try:
            if self._smtp is not None and self._smtp.is_connected:
                await self._smtp.rset()
        except (aiosmtplib.SMTPException, OSError):
            self._drop_connection()

    async def run_once(self) -> int:
        """Claim one batch and send it; returns how many rows it handled (0: stop draining)."""
        rows = self.claim()
        self._batch.clear()
        try:
            for index, row in enumerate(rows):
                if self._stopping.is_set():
                    self.release(rows[index:], reason="worker stopped", delay=0)
                    self._batch["put back"] += len(rows) - index
                    return 0
                try:
                    await self.send(row)
                except WorkerFault as exc:
                    log.warning(
                        "mail server problem, batch put back: %s", Failure(False, str(exc)).summary
                    )
                    self.release(rows[index:], reason=str(exc), delay=self.backoff_base)
                    self._batch["put back"] += len(rows) - index
                    return 0
        finally:
            self.mark_accepted()
            if rows:
                self._log_batch()
        return len(rows)

    def _log_batch(self) -> None:
        """One line per batch: how many went out, failed for good, wait for a retry or were
        given back. Counts only: no address, no subject."""
        counts = self._batch
        log.info(
            "mail batch: %d sent, %d failed, %d retried, %d put back",
            counts["sent"],
            counts["failed"],
            counts["retried"],
            counts["put back"],
        )

    async def drain(self) -> int:
        """Send until nothing is due; returns how many rows were handled."""
        total = 0
        while handled := await self.run_once():
            total += handled
        return total

    def stop(self) -> None:
        """Ask the loop to end after the message in hand."""
        self._stopping.set()

    async def run(self, *, poll_interval: float = 1.0, periodic_every: float = 60.0) -> None:
        """Send forever (until stop()), polling for due mail and running housekeeping jobs."""
        loop = asyncio.get_running_loop()
        next_periodic = loop.time()
        idle_since = loop.time()
        try:
            while not self._stopping.is_set():
                if loop.time() >= next_periodic:
                    for job in self.periodic:
                        job()
                    next_periodic = loop.time() + periodic_every
                try:
                    handled = await self.run_once()
                except Exception as exc:
                    if not outage.unreachable(exc):
                        raise
                    # The database went away: one line per interval, then try again later.
                    outage.quiet.report("mail worker", outage.kind(exc))
                    await self._pause(outage.RETRY_AFTER / 3)
                    continue
                if handled:
                    idle_since = loop.time()
                    continue
                if self._smtp is not None and loop.time() - idle_since > 60:
                    await self.close()  # servers drop idle clients; reconnect when mail comes
                await self._pause(poll_interval)
        finally:
            await self.close()

    async def _pause(self, seconds: float) -> None:
        """Wait that long, or until stop()."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
