"""Queue mail in the caller's transaction, so a rolled-back change sends nothing."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NotRequired, Protocol, TypedDict, TypeVar
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, delete, insert, update
from sqlmodel import Session, col, func, select

from campaign.core.db import utcnow
from campaign.core.i18n import get_locale
from campaign.core.ratelimit import Limiter
from campaign.core.web import TEMPLATE_DIR
from campaign.mail.models import MailPriority, MailStatus, OutboxMessage

_OUTBOX = OutboxMessage.__table__  # type: ignore[attr-defined]
_INSERT = insert(_OUTBOX).returning(_OUTBOX.c.id)  # built once; the values are parameters
ALLOWED_HEADERS = {"Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post", "From-Name"}
log = logging.getLogger("campaign.mail")


class Envelope(TypedDict):
    """Where a message goes and how: the keyword arguments every emails.py function takes
    (as `**envelope: Unpack[Envelope]`) beside what its templates use, passed on to enqueue."""

    to: str
    locale: str
    base_url: str
    priority: NotRequired[MailPriority]


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The headers of one-click unsubscribe (RFC 8058), for mail someone may stop receiving."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def _normalized(address: str) -> str | None:
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def mailable(address: str) -> bool:
    """Whether enqueue() takes this address. A job mailing many people asks first and leaves
    out the few it would refuse (the demo's fictional writers at .invalid, a row kept from
    before a rule), so that one stored address does not stop everyone else's mail."""
    return _normalized(address) is not None


class _Addressed(Protocol):
    @property
    def email(self) -> str: ...


AddressedT = TypeVar("AddressedT", bound=_Addressed)


def only_mailable(people: Sequence[AddressedT], *, what: str) -> list[AddressedT]:
    """Those of `people` whose address enqueue() takes; how many were left out goes to the log
    as a count under `what` (the job's name), never an address."""
    kept = [person for person in people if mailable(person.email)]
    if len(kept) < len(people):
        log.warning(
            "%s: %d recipients left out, their address cannot be mailed",
            what,
            len(people) - len(kept),
        )
    return kept


def enqueue(
    session: Session,
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    locale: str | None = None,
    headers: Mapping[str, str] | None = None,
    base_url: str = "",
    priority: MailPriority = MailPriority.normal,
) -> int:
    """Add a message to the outbox; it goes out only if the surrounding transaction commits.

    `context` must be JSON-serialisable: the worker renders templates/emails/<template>.* later.
    Returns the message's id. One INSERT, without the ORM's unit of work: signing queues a
    mail per request, and building and flushing an object cost more than sending the INSERT.
    """
    if not _template_exists(template):
        raise ValueError(f"no e-mail template named {template!r}")
    normalized = _normalized(to)
    if normalized is None:
        raise ValueError("the recipient must be one valid address")
    to = normalized
    unknown = set(headers or {}) - ALLOWED_HEADERS
    if unknown:
        raise ValueError(f"headers not allowed in the outbox: {', '.join(sorted(unknown))}")
    domain = urlsplit(base_url).hostname or "campaign.localhost"
    now = utcnow()
    values = {
        "message_id": f"<{uuid.uuid4().hex}@{domain}>",
        "to_addr": to,
        "template": template,
        "context": dict(context),
        "headers": dict(headers or {}),
        "locale": locale or get_locale(),
        "priority": priority.value,
        "status": MailStatus.queued.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    return int(session.execute(_INSERT, values).scalar_one())


def priority_for(
    limiter: Limiter, *, within_limits: bool, client: str, cap: str
) -> MailPriority | None:
    """The priority of a mail a stranger's request causes, or None: mail nothing.

    Normal while the client (a keyed hash of its address) keeps within its limits. Past them it
    may still be a genuine supporter behind an address many share (a carrier's NAT, a
    university): mailed at low priority, after everyone else's mail, but for at most `cap`
    (e.g. "50/hour") such requests per client, whatever they are, so that no one can make the
    platform mail addresses of their choosing at will. Ask once per request that may mail.
    """
    if within_limits:
        return MailPriority.normal
    return MailPriority.low if limiter.hit(cap, "over-limit-mail", client) else None


@cache
def _template_exists(template: str) -> bool:
    return (TEMPLATE_DIR / "emails" / f"{template}.txt").exists()


def counts_by_status(session: Session) -> dict[str, int]:
    """How many messages are in each state, for the dashboard and the tests."""
    rows = session.exec(
        select(OutboxMessage.status, func.count()).group_by(col(OutboxMessage.status))
    ).all()
    counts = {status.value: 0 for status in MailStatus}
    counts.update({status: int(n) for status, n in rows})
    return counts


def cancel(session: Session, ids: list[int]) -> set[int]:
    """Withdraw messages no worker has taken yet; returns the ids that were withdrawn."""
    if not ids:
        return set()
    result = session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) == MailStatus.queued)
        .values(status=MailStatus.cancelled)
        .returning(col(OutboxMessage.id))
    )
    return {int(row_id) for row_id in result.scalars().all()}


def outcomes(session: Session, ids: list[int]) -> dict[int, tuple[str, str]]:
    """Status and last error of messages that are finished (sent, failed or cancelled)."""
    if not ids:
        return {}
    rows = session.exec(
        select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.last_error).where(
            col(OutboxMessage.id).in_(ids),
            col(OutboxMessage.status).in_(
                [MailStatus.sent, MailStatus.failed, MailStatus.cancelled]
            ),
        )
    ).all()
    return {int(row_id): (status, error or "") for row_id, status, error in rows if row_id}


def forget(session: Session, ids: Select[Any]) -> None:
    """Blank what messages say (their recipient stays for the counts) and withdraw those not
    yet taken: the person they were written for or by has asked to be forgotten."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) == MailStatus.queued)
        .values(status=MailStatus.cancelled)
    )
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(ids), col(OutboxMessage.status) != MailStatus.sending)
        .values(context={}, headers={}, last_error=None)
    )


def purge_finished(session: Session, *, older_than: datetime) -> int:
    """Delete messages sent, failed or withdrawn before `older_than`: a sent mail's copy is
    kept only as long as someone may need to look into its delivery."""
    result = session.execute(
        delete(OutboxMessage).where(
            col(OutboxMessage.status).in_(
                [MailStatus.sent, MailStatus.failed, MailStatus.cancelled]
            ),
            col(OutboxMessage.created_at) < older_than,
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
