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
from typing import Any

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Connection, Engine, case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, col


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
        engine = bind if isinstance(bind, Engine) else bind.get_bind()
        dialect = sqlite if engine.dialect.name == "sqlite" else postgresql
        self._insert = dialect.insert

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
        key = _stored(key)
        now = time.time()
        table = RateCounter.__table__  # type: ignore[attr-defined]
        fresh = self._insert(table).values(key=key, count=amount, expires_at=now + expiry)
        statement = fresh.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": _case_expired(table, now, amount, table.c.count + amount),
                "expires_at": _case_expired(table, now, now + expiry, table.c.expires_at),
            },
        ).returning(table.c.count)
        with self._connection() as connection:
            return int(connection.execute(statement).scalar_one())

    def incr_many(self, items: list[tuple[str, int]]) -> dict[str, int]:
        """Count one hit on several keys (each with its expiry) in one statement."""
        now = time.time()
        table = RateCounter.__table__  # type: ignore[attr-defined]
        stored = {_stored(key): key for key, _ in items}
        rows = [
            {"key": _stored(key), "count": 1, "expires_at": now + expiry} for key, expiry in items
        ]
        insert = self._insert(table).values(rows)
        statement = insert.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": _case_expired(table, now, 1, table.c.count + 1),
                "expires_at": case(
                    (table.c.expires_at <= now, insert.excluded.expires_at),
                    else_=table.c.expires_at,
                ),
            },
        ).returning(table.c.key, table.c.count)
        with self._connection() as connection:
            return {stored[key]: int(count) for key, count in connection.execute(statement).all()}

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

    def clear(self, key: str) -> None:
        key = _stored(key)
        with self._connection() as connection:
            connection.execute(delete(RateCounter).where(col(RateCounter.key) == key))

    def purge_expired(self) -> int:
        """Drop counters whose window has passed; the worker calls this now and then."""
        with self._connection() as connection:
            statement = delete(RateCounter).where(col(RateCounter.expires_at) <= time.time())
            return int(connection.execute(statement).rowcount)

    def _row(self, key: str) -> Any:
        key = _stored(key)
        with self._connection() as connection:
            query = select(col(RateCounter.count), col(RateCounter.expires_at)).where(
                col(RateCounter.key) == key
            )
            return connection.execute(query).first()


def _stored(key: str) -> str:
    """Keys hold identifiers (an account's address, say): only their digest is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def _case_expired(table: Any, now: float, when_expired: Any, otherwise: Any) -> Any:
    return case((table.c.expires_at <= now, literal(when_expired)), else_=otherwise)


class Limiter:
    """Named limits over one storage: `hit` consumes, `allowed` only looks."""

    def __init__(self, bind: Engine | Session) -> None:
        self.storage = DatabaseStorage(bind)
        self._strategy = FixedWindowRateLimiter(self.storage)

    def hit(self, limit: str, *identifiers: str) -> bool:
        """Count one attempt; False when it goes over `limit` (e.g. "5/15minutes")."""
        return self._strategy.hit(_item(limit), *identifiers)

    def hit_all(self, limits: list[str], *identifiers: str) -> bool:
        """Count one attempt against each limit in one statement; False if any is exceeded."""
        items = [_item(limit) for limit in limits]
        counts = self.storage.incr_many(
            [(item.key_for(*identifiers), item.get_expiry()) for item in items]
        )
        return all(counts[item.key_for(*identifiers)] <= item.amount for item in items)

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

    def clear(self, limit: str, *identifiers: str) -> None:
        """Forget the attempts counted for these identifiers."""
        self._strategy.clear(_item(limit), *identifiers)


def _item(limit: str) -> RateLimitItem:
    return parse(limit)
