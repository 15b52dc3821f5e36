"""Double opt-in: what a stranger asks for in someone's name (a signature, letters to
officials) is held until whoever holds that mailbox follows the link mailed to it. Petitions
and letters both go through here, under one set of rules:

- **Limits.** A request counts against its client's limits in its scope (a petition, a letter
  campaign: SIGN_LIMIT_BURST and SIGN_LIMIT_SUSTAINED) and against the client's mail limit
  across every scope of its kind (SIGN_MAIL_LIMIT_PER_CLIENT), in one statement.
- **Over a limit** (docs/security.md, hostile use): the request is still held, since it may
  be a genuine supporter behind an address many share, but its mail waits behind everyone
  else's, and past OVER_LIMIT_MAIL_PER_CLIENT such requests an hour nothing is mailed
  (`outbox.priority_for`). A domain may add a consequence of its own (a signature over its
  petition's limits is kept as suspect and counts only if an organiser accepts it).
- **Holding.** One INSERT that does nothing when the address already has a row in the scope
  (or is inserting one at this moment): no look-up first, no savepoint. A repeat is the
  domain's to answer, with at most `max_mails` mails per row.
- **Confirming.** The link names the row and its nonce; one conditional UPDATE moves the row
  from pending to confirmed, once, however often and however fast the link is used.
- **Expiry.** Rows still pending after SIGNATURE_CONFIRM_DAYS are deleted by the worker.

A held table has the columns id, <scope>, email_hash (unique with the scope), status
('pending', 'confirmed', …), token_nonce, mails_sent, created_at and confirmed_at.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, delete, select, update
from sqlmodel import Session

from campaign.core.db import insert_new, utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.security import row_for_token, row_token
from campaign.core.settings import Settings
from campaign.mail import outbox
from campaign.mail.models import MailPriority

PENDING = "pending"
CONFIRMED = "confirmed"


class ConfirmOutcome(StrEnum):
    confirmed = "confirmed"
    already = "already"
    invalid = "invalid"


@dataclass(frozen=True)
class Admission:
    """How the limits answered a request: whether it kept within them, and the priority of its
    mail (None: mail nothing)."""

    within_limits: bool
    priority: MailPriority | None


@dataclass(frozen=True, eq=False)
class DoubleOptIn:
    """One kind of held request: its table, what its links are signed for, its scope column and
    the name its limits are counted under. `confirm_values` are set by the confirming UPDATE
    beside status and confirmed_at (SQL expressions; bound parameters come from the caller)."""

    model: type[Any]
    purpose: str
    scope: str
    limit_name: str
    max_mails: int = 3
    confirm_values: dict[str, Any] = field(default_factory=dict)

    @property
    def table(self) -> Table:
        return self.model.__table__

    def admit(
        self, limiter: Limiter, settings: Settings, *, scope_id: int, client: str
    ) -> Admission:
        """Count one request of a client (its keyed hash) in a scope; the one rule over limits."""
        within, mail_within = limiter.hit_groups(
            (
                [settings.sign_limit_burst, settings.sign_limit_sustained],
                (self.limit_name, str(scope_id), client),
            ),
            ([settings.sign_mail_limit_per_client], (f"{self.limit_name}-mail", client)),
        )
        # Counted before the caller's transaction writes: on SQLite a limiter on its own
        # connection would wait for the write lock that transaction would hold.
        priority = outbox.priority_for(
            limiter,
            within_limits=within and mail_within,
            client=client,
            cap=settings.over_limit_mail_per_client,
        )
        return Admission(within, priority)

    def hold(
        self,
        session: Session,
        settings: Settings,
        *,
        values: dict[str, Any],
        priority: MailPriority | None,
        mail: Callable[[str, MailPriority], object],
    ) -> int | None:
        """Insert a pending row and mail its link (`mail(token, priority)`), unless the priority
        says mail nothing; the new row's id, or None when the address has a row here already.

        `values` are the domain's columns; the opt-in's own (status, nonce, mails sent, created
        at) are set here. Every column is given, so the row does not depend on defaults.
        """
        nonce = secrets.token_urlsafe(12)
        row = {
            **values,
            "status": PENDING,
            "token_nonce": nonce,
            "mails_sent": 1,
            "created_at": utcnow(),
        }
        row_id = insert_new(session, self.table, row)
        if row_id is not None and priority is not None:
            mail(self.token(settings, row_id, nonce), priority)
        return row_id

    def token(self, settings: Settings, row_id: int | None, nonce: str) -> str:
        """The signed token of a row's confirmation link."""
        return row_token(settings, self.purpose, row_id, nonce)

    def held_row(
        self, session: Session, settings: Settings, *, token: str, scope_id: int | None
    ) -> Any | None:
        """The row a link points to, if the link is genuine, unexpired, current and for this
        scope."""
        row = row_for_token(
            session,
            self.model,
            settings=settings,
            purpose=self.purpose,
            token=token,
            max_age=settings.signature_confirm_days * 86400,
            nonce=lambda found: found.token_nonce,
        )
        return row if row is not None and getattr(row, self.scope) == scope_id else None

    def confirm(self, session: Session, row: Any, **params: Any) -> ConfirmOutcome:
        """Move a row a link pointed to from pending to confirmed: `confirmed` for the one call
        that did, `already` for a link used before (or a second click that lost the race),
        `invalid` when the row changed under the link meanwhile (replaced, discarded)."""
        if row.status != PENDING:
            return ConfirmOutcome.already
        changed = session.execute(
            _confirm_statement(self),
            {"row_id": row.id, "nonce": row.token_nonce, "now": utcnow(), **params},
        )
        if changed.rowcount:  # type: ignore[attr-defined]
            return ConfirmOutcome.confirmed
        table = self.table
        now = session.execute(
            select(table.c.status, table.c.token_nonce).where(table.c.id == row.id)
        ).first()
        used = now is not None and tuple(now) == (CONFIRMED, row.token_nonce)
        return ConfirmOutcome.already if used else ConfirmOutcome.invalid

    def may_mail_again(self, row: Any, priority: MailPriority | None) -> bool:
        """Whether a repeat request may mail this row's address once more."""
        return priority is not None and row.mails_sent < self.max_mails

    def expire(self, session: Session, settings: Settings) -> int:
        """Delete the rows whose link expired unused; how many."""
        cutoff = utcnow() - timedelta(days=settings.signature_confirm_days)
        table = self.table
        result = session.execute(
            delete(table).where(table.c.status == PENDING, table.c.created_at < cutoff)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


@cache
def _confirm_statement(optin: DoubleOptIn) -> Any:
    """Built once per kind (kinds hash by identity): every confirmation runs it. On the table,
    not the model: an ORM update would also look for the row's object in the session, a tenth
    of a confirmation's CPU, and nothing reads that object after it."""
    table = optin.table
    return (
        update(table)
        .where(
            table.c.id == bindparam("row_id"),
            table.c.status == PENDING,
            table.c.token_nonce == bindparam("nonce"),
        )
        .values(status=CONFIRMED, confirmed_at=bindparam("now"), **optin.confirm_values)
    )
