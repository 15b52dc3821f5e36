"""Rate limits from the `limits` library, with counters kept in the app's own database.

In a request the counters are written on the request's own connection and transaction: a
request never waits for a second connection from the pool while holding one (which deadlocks
a full pool under load), and two requests counting the same key queue on its row lock. A
failed login still counts: it is an answer, not an error, so its transaction commits.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Connection, Engine, TextClause, delete, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, col
from starlette.requests import Request

from campaign.core.i18n import get_locale, ngettext
from campaign.core.security import ip_hash


class RateCounter(SQLModel, table=True):
    """One fixed-window counter: the key names the limit and a keyed hash of who is counted."""

    __tablename__ = "rate_counter"

    key: str = Field(primary_key=True, max_length=200)
    count: int = 0
    expires_at: float = Field(index=True)


class DatabaseStorage(Storage):
    """A `limits` storage on SQLite or PostgreSQL, shared by every app process.

    Bound to a Session, it writes in that session's transaction; bound to an Engine, each
    call is its own autocommit statement (housekeeping, tests).
    """

    STORAGE_SCHEME = ["campaign+sql"]

    def __init__(self, bind: Engine | Session, **options: Any) -> None:
        super().__init__(None, wrap_exceptions=False)
        self.bind = bind

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        if isinstance(self.bind, Engine):
            with self.bind.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
                yield connection
        else:
            yield self.bind.connection()

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._upsert([(key, expiry)], amount)[key]

    def incr_many(self, items: list[tuple[str, int]]) -> dict[str, int]:
        """Count one hit on several keys (each with its expiry) in one statement."""
        return self._upsert(items, 1)

    def _upsert(self, items: list[tuple[str, int]], amount: int) -> dict[str, int]:
        now = time.time()
        stored = {_stored(key): key for key, _ in items}
        params: dict[str, Any] = {"now": now, "amount": amount}
        for n, (key, expiry) in enumerate(items):
            params[f"k{n}"], params[f"e{n}"] = _stored(key), now + expiry
        with self._connection() as connection:
            rows = connection.execute(_upsert_statement(len(items)), params).all()
        return {stored[key]: int(count) for key, count in rows}

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row is not None and row.expires_at > time.time() else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row is not None else time.time()

    def check(self) -> bool:
        try:
            with self._connection() as connection:
                connection.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._connection() as connection:
            return int(connection.execute(delete(RateCounter)).rowcount)

    def refund(self, key: str) -> None:
        """Take one hit back from a window still running; never below zero, never a new window."""
        params = {"key": _stored(key), "now": time.time()}
        with self._connection() as connection:
            connection.execute(_REFUND, params)

    def clear(self, key: str) -> None:
        key = _stored(key)
        with self._connection() as connection:
            connection.execute(delete(RateCounter).where(col(RateCounter.key) == key))

    def _row(self, key: str) -> Any:
        key = _stored(key)
        with self._connection() as connection:
            query = select(col(RateCounter.count), col(RateCounter.expires_at)).where(
                col(RateCounter.key) == key
            )
            return connection.execute(query).first()


def purge_expired_counters(connection: Any) -> int:
    """Drop counters whose window has passed, in this session or connection: the worker's job."""
    statement = delete(RateCounter).where(col(RateCounter.expires_at) <= time.time())
    return int(connection.execute(statement).rowcount)


def _stored(key: str) -> str:
    """Keys hold identifiers (an account's address, say): only their digest is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


@cache
def _upsert_statement(rows: int) -> TextClause:
    """Count on each key, restarting a window that has passed; the same SQL on both databases.

    Written out rather than built with SQLAlchemy's insert(): a multi-row upsert is a statement
    its compiled cache cannot keep, and compiling it again cost more than the rest of a
    signature together (docs/benchmarks.md).
    """
    values = ", ".join(f"(:k{n}, :amount, :e{n})" for n in range(rows))
    return text(
        f"INSERT INTO rate_counter (key, count, expires_at) VALUES {values} "  # noqa: S608
        "ON CONFLICT (key) DO UPDATE SET "
        "count = CASE WHEN rate_counter.expires_at <= :now THEN :amount"
        " ELSE rate_counter.count + :amount END, "
        "expires_at = CASE WHEN rate_counter.expires_at <= :now THEN excluded.expires_at"
        " ELSE rate_counter.expires_at END "
        "RETURNING key, count"
    )


_REFUND = text(
    "UPDATE rate_counter SET count = count - 1 WHERE key = :key AND count > 0 AND expires_at > :now"
)


class Limiter:
    """Named limits over one storage: `hit` consumes, `allowed` only looks."""

    def __init__(self, bind: Engine | Session) -> None:
        self.storage = DatabaseStorage(bind)
        self._strategy = FixedWindowRateLimiter(self.storage)

    def hit(self, limit: str, *identifiers: str) -> bool:
        """Count one attempt; False when it goes over `limit` (e.g. "5/15minutes")."""
        return self._strategy.hit(_item(limit), *identifiers)

    def take(self, limit: str, cost: int, *identifiers: str) -> int:
        """Count `cost` units at once and answer how many of them fit within `limit`: all,
        the first few when the window fills up on the way, or none. One atomic increment,
        so requests at the same moment never share the same room."""
        item = _item(limit)
        total = self.storage.incr(item.key_for(*identifiers), item.get_expiry(), amount=cost)
        return max(0, min(cost, item.amount - (total - cost)))

    def hit_all(self, limits: list[str], *identifiers: str) -> bool:
        """Count one attempt against each limit in one statement; False if any is exceeded."""
        return self.hit_groups((limits, identifiers))[0]

    def hit_groups(self, *groups: tuple[list[str], tuple[str, ...]]) -> list[bool]:
        """Count one attempt against several groups of limits, each group with its own
        identifiers, in one statement; for each group, whether all its limits still hold."""
        keyed = [[(_item(limit), ids) for limit in limits] for limits, ids in groups]
        counts = self.storage.incr_many(
            [(item.key_for(*ids), item.get_expiry()) for group in keyed for item, ids in group]
        )
        return [
            all(counts[item.key_for(*ids)] <= item.amount for item, ids in group) for group in keyed
        ]

    def hit_mailbox(
        self, name: str, *, index: str, client: str, per_address: str, per_client: str
    ) -> bool:
        """Count one request for a mailed link, per address (its keyed hash) and per client;
        False when either is over its limit, and then no mail should go out."""
        return self.hit_all([per_address], name, index) and self.hit_all(
            [per_client], f"{name}-client", client
        )

    def allowed(self, limit: str, *identifiers: str) -> bool:
        """Whether one more attempt would stay within `limit`, without counting it."""
        return self._strategy.test(_item(limit), *identifiers)

    def retry_after(self, limit: str, *identifiers: str) -> int:
        """Seconds until the window of `limit` for these identifiers resets."""
        stats = self._strategy.get_window_stats(_item(limit), *identifiers)
        return max(0, int(stats.reset_time - time.time()) + 1)

    def refund(self, limit: str, *identifiers: str) -> None:
        """Give back one attempt counted by `hit`: it turned out to be one that should not count
        (a right password), though it had to be counted before anyone could know."""
        self.storage.refund(_item(limit).key_for(*identifiers))

    def clear(self, limit: str, *identifiers: str) -> None:
        """Forget the attempts counted for these identifiers."""
        self._strategy.clear(_item(limit), *identifiers)


@dataclass(frozen=True)
class LinkRequest:
    """A stranger asks for a link mailed to an address they typed: the address, the language
    of the mail, and who asks (their client's keyed hash), counted with the address."""

    email: str
    locale: str
    client: str
    limiter: Limiter

    @classmethod
    def of(cls, request: Request, session: Session, email: str) -> LinkRequest:
        """The request for a link to `email` that this HTTP request makes."""
        client = ip_hash(request, request.app.state.settings)
        return cls(email, get_locale(), client, Limiter(session))

    def within(self, name: str, index: str, *, per_address: str, per_client: str) -> bool:
        """Count it per address (its keyed hash `index`) and per client; False: mail nothing."""
        return self.limiter.hit_mailbox(
            name, index=index, client=self.client, per_address=per_address, per_client=per_client
        )


def wait_message(retry_after: int) -> str:
    """What a visitor over a limit reads: how many minutes to wait."""
    minutes = max(1, (retry_after + 59) // 60)
    return ngettext(
        "Too many attempts. Try again in %(num)d minute.",
        "Too many attempts. Try again in %(num)d minutes.",
        minutes,
    )


def pdf_refusal(limiter: Limiter, limit: str, client: str) -> str | None:
    """None while this client (a keyed hash of its address) may have another public PDF made
    (printed letters, a letter to a prisoner); otherwise how long to wait. Rendering one costs
    a few hundred milliseconds of CPU, so unlimited requests would take the site down."""
    if limiter.hit(limit, "pdf", client):
        return None
    return wait_message(limiter.retry_after(limit, "pdf", client))


def _item(limit: str) -> RateLimitItem:
    return parse(limit)
