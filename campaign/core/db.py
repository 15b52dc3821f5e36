"""Engines (SQLite pragmas, psycopg 3), the two kinds of transaction, and atomic counters.

The two kinds of transaction, and the only ways code gets a session:

- **Reads** (`ReadSessionDep`): a page that only reads what anyone may see. The read replica
  serves it when there is one; nothing is committed.
- **Writes**, committed once where the work is done, or rolled back with everything they
  queued (rows, audit events, outbox mail) when it raises:
  - `SessionDep` for a request: the route calls its service and the dependency commits when
    the route returns, before the response is sent (a failed commit is a 500, never a success
    page);
  - `PublicWriter` (core/writes.py) for the writes a surge brings (signing, confirming):
    `await writes.run(work)` runs `work(session)` on the writer threads, in one transaction
    with the writes waiting beside it (group commit), and answers once that committed;
    `run_then(work, page)` then renders on the same thread, so no row lock is held while a
    page is rendered;
  - `transaction(engine)` outside a request: the worker's jobs, the command line, the tests.

Services `flush()` but never commit, and no route commits by hand (tests/test_architecture.py).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import bindparam, event, text
from sqlalchemy.dialects import postgresql as postgresql_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, create_engine

from campaign.core.settings import ConfigError, Settings


def utcnow() -> datetime:
    """Now, as an aware UTC datetime: the form every timestamp column takes and gives back."""
    return datetime.now(UTC)


def months_after(moment: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months later (the 31st becomes the month's last)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(
    database_url: str, *, pool_size: int = 15, max_overflow: int = 15, read_only: bool = False
) -> Engine:
    """An engine for SQLite (WAL, foreign keys, busy timeout) or PostgreSQL (psycopg 3).

    A request uses one connection at a time; the pool (30) is above the request thread pool
    (REQUEST_THREADS: 6 or 12), so a thread waits for a connection only if that is raised.
    read_only (PostgreSQL): every transaction is read-only, as on a hot standby, so a write
    that strays onto the replica's engine fails the same way whether or not it is a replica.
    """
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Sessions in UTC, so that date() of a timestamp is the UTC day on PostgreSQL as on SQLite.
    options = "-c timezone=UTC" + (" -c default_transaction_read_only=on" if read_only else "")
    return create_engine(
        database_url,
        pool_recycle=1800,  # instead of a ping before every checkout: a round trip saved each time
        hide_parameters=True,  # bound values (addresses, names) never reach an error log
        pool_size=pool_size,
        max_overflow=max_overflow,
        connect_args={"options": options},
    )


def check_database(engine: Engine, setting: str = "DATABASE_URL") -> None:
    """Answer quietly when the database answers; raise ConfigError with one line otherwise."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ConfigError(f"{setting}: cannot reach the database ({reason})") from None


def check_settings_database(settings: Settings) -> Engine:
    """Build the engine for the settings and prove it answers (the read replica too, if set)."""
    engine = make_engine(settings.database_url)
    replica = make_read_engine(settings, engine)
    if replica is not engine:
        try:
            check_database(replica, "DATABASE_READ_URL")
        finally:
            replica.dispose()
    check_database(engine)
    return engine


# -- the two kinds of transaction (see the module's docstring) ---------------------------------


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_session(request: Request) -> Iterator[Session]:
    """The request's session: one transaction, committed once after the route, or rolled back."""
    with transaction(request.app.state.engine) as session:
        yield session


# scope="function": the commit runs before the response is sent, so a failed commit is a 500
# and never a success page for something that was not stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def make_read_engine(settings: Settings, primary: Engine) -> Engine:
    """The engine public reads use: the read replica's when DATABASE_READ_URL is set."""
    if not settings.database_read_url:
        return primary
    return make_engine(settings.database_read_url, read_only=True)


def get_read_session(request: Request) -> Iterator[Session]:
    """A session for a page that only reads what anyone may see: served by the read replica
    when there is one, so it may lag the primary by a moment. Nothing is committed."""
    with Session(request.app.state.read_engine, expire_on_commit=False) as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


# -- counters and inserts both databases run atomically ---------------------------------------


def increment(session: Session, table: Any, keys: dict[str, Any], column: str, delta: int) -> None:
    """Add delta to a counter row (made at delta if missing), atomically on both databases."""
    statement = _increment_statement(session.get_bind().dialect.name, table, tuple(keys), column)
    session.execute(statement, {**keys, column: delta, "increment_by": delta})


@cache
def _increment_statement(dialect_name: str, table: Any, keys: tuple[str, ...], column: str) -> Any:
    """Built once per counter: confirming a signature runs it per request."""
    dialect = sqlite_dialect if dialect_name == "sqlite" else postgresql_dialect
    counter = table.c[column]
    return dialect.insert(table).on_conflict_do_update(
        index_elements=list(keys),
        set_={column: counter + bindparam("increment_by", type_=counter.type)},
    )


T = TypeVar("T")


def once_per_session(session: Session, key: tuple[Any, ...], read: Callable[[], T]) -> T:
    """`read()` the first time a session asks for `key`, and what it gave after that. A
    session is one transaction (transaction(), the request's dependencies), and a surge's public
    writes share one (core/writes.py): what they all read (the petition, its next step) is read
    for the first of them alone, as if they had all come at that moment."""
    known: dict[tuple[Any, ...], Any] = session.info.setdefault("once_per_session", {})
    if key not in known:
        known[key] = read()
    value: T = known[key]
    return value


def insert_once(session: Session, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless its key exists; True when this call inserted it (atomic on both)."""
    return insert_new(session, table, values) is not None


def insert_new(session: Session, table: Any, values: dict[str, Any]) -> Any | None:
    """Insert a row unless it collides with a unique key; its (first) key, or None if it did.

    One statement, no savepoint: a row another transaction is inserting at the same moment
    makes this one wait for it and then insert nothing.
    """
    statement = _insert_new_statement(session.get_bind().dialect.name, table)
    row = session.execute(statement, values).first()
    return None if row is None else row[0]


@cache
def _insert_new_statement(dialect_name: str, table: Any) -> Any:
    """Built once per table: the values come as parameters (signing runs this per request)."""
    dialect = sqlite_dialect if dialect_name == "sqlite" else postgresql_dialect
    # RETURNING rather than rowcount: through a Session on psycopg a skipped conflict still
    # reported a row (the reminders test caught it), a returned key cannot lie.
    first_key = next(iter(table.primary_key.columns))
    return dialect.insert(table).on_conflict_do_nothing().returning(first_key)
