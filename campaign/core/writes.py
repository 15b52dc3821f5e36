"""Group commit for the writes a surge brings (signing, confirming): a process's writer threads
take the public writes waiting when they come free, run several in one transaction and commit
them together.

A signature alone is six round trips (BEGIN, the petition, the limits, the row, its mail,
COMMIT) and a flush of the write-ahead log; in a surge, eight signatures waiting at once cost
one BEGIN, one COMMIT and one flush between them. Each write still answers only once its
transaction has committed, so no supporter is told "check your mail" for a row that was not
stored.

- **Order.** A batch runs its writes sorted by their key, so that two batches take the rows
  they share in the same order and do not deadlock: a signature's key starts with its
  client's hash (the limits' rows are the client's), a confirmation's is the petition's slug
  (it locks the petition's row, then its country's tally).
- **Failure.** A write that raises before it wrote anything (an unknown petition's 404) fails
  alone and the batch goes on. If a write raises after writing, or the database refuses
  something (a deadlock PostgreSQL broke), the whole batch is rolled back and every write in it
  runs again alone, in a transaction of its own: one bad request never costs the others
  theirs, and the one that failed fails as it would have alone.
- **Context.** A write runs in the request's context (its language, its request id), copied
  when it was handed over.
- **Threads.** At most `threads` per process, started when writes wait and none is free, ended
  after a few idle seconds (tests start many apps; none keeps threads).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fcntl
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from campaign.core.db import transaction

IDLE_SECONDS = 5.0


@dataclass(eq=False)
class _Write:
    work: Callable[[Any], Any]  # (session) -> result, inside the batch's transaction
    then: Callable[[Any], Any]  # (result) -> answer, after the commit
    key: str
    context: contextvars.Context
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]

    def settle(self, value: Any = None, error: BaseException | None = None) -> None:
        with contextlib.suppress(RuntimeError):  # its loop has closed (the app stopped)
            self.loop.call_soon_threadsafe(_settle, self.future, value, error)


def _settle(future: asyncio.Future[Any], value: Any, error: BaseException | None) -> None:
    if future.cancelled():  # the client went away; what it asked for was done all the same
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)


class GroupCommit:
    """One process's writer threads for one engine: `await submit(work, then, key)`."""

    def __init__(self, engine: Engine, *, threads: int, batch: int) -> None:
        self.engine = engine
        self.threads = threads
        self.batch = batch
        self._queue: queue.SimpleQueue[_Write] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live = 0
        self._idle = 0
        self.transactions = 0  # committed, for tests and benchmarks
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._turns = f"{database}.writers" if database and database != ":memory:" else None

    async def submit(
        self, work: Callable[[Any], Any], then: Callable[[Any], Any], *, key: str = ""
    ) -> Any:
        """`work(session)` in a transaction shared with the writes waiting beside it, then
        `then(result)` once that transaction committed; the answer, or what either raised."""
        loop = asyncio.get_running_loop()
        write = _Write(work, then, key, contextvars.copy_context(), loop, loop.create_future())
        with self._lock:  # the put and the look at idle threads are one step (see _serve)
            self._queue.put(write)
            if self._idle == 0 and self._live < self.threads:
                self._live += 1
                try:
                    thread = threading.Thread(target=self._serve, name="campaign-writer")
                    thread.daemon = True
                    thread.start()
                except RuntimeError:  # no thread to be had (memory): the next write tries again
                    self._live -= 1
                    raise
        return await write.future

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """On SQLite, the public writers of every process queue for the one write lock in the
        kernel (a blocking flock wakes the next the moment it is free), rather than in
        SQLite's busy handler, which polls with sleeps that grow to 100 ms: under a surge a
        writer could lose the race for seconds while the others took turns."""
        if self._turns is None:
            yield
            return
        with open(self._turns, "a") as turns:
            fcntl.flock(turns, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(turns, fcntl.LOCK_UN)

    def _serve(self) -> None:
        try:
            self._take_batches()
        except BaseException:
            with self._lock:  # a thread that died must not count as live, or none would start
                self._live -= 1
            raise

    def _take_batches(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    self._idle -= 1
                    if not self._queue.empty():  # put while this thread was giving up
                        continue
                    self._live -= 1
                    return
            with self._lock:
                self._idle -= 1
            batch = [first]
            while len(batch) < self.batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._run(sorted(batch, key=lambda write: write.key))

    def _run(self, batch: list[_Write]) -> None:
        outcomes: list[tuple[bool, Any]] = []  # (ok, result or what it raised), per write
        try:
            with self._turn(), transaction(self.engine) as session:
                writes = _WriteCounter(session)
                for write in batch:
                    outcomes.append(self._attempt(write, session, writes, alone=len(batch) == 1))
        except BaseException as exc:
            if len(batch) == 1:
                batch[0].settle(error=exc)
                return
            for write in batch:  # each alone: the others keep what they would have had
                self._run([write])
            return
        self.transactions += 1
        for write, (ok, result) in zip(batch, outcomes, strict=True):
            if not ok:
                write.settle(error=result)
                continue
            try:
                answer = write.context.run(write.then, result)
            except BaseException as exc:
                write.settle(error=exc)
            else:
                write.settle(answer)

    @staticmethod
    def _attempt(
        write: _Write, session: Session, writes: _WriteCounter, *, alone: bool
    ) -> tuple[bool, Any]:
        """Run one write of the batch. One that raises having written nothing (a 404 for an
        unknown petition, a form refused) fails alone and the batch goes on: a flood of such
        requests must not make every signature beside them run twice. One that raises after
        writing, or on a database error, fails the batch (raised again here)."""
        before = writes.count
        try:
            return True, write.context.run(write.work, session)
        except Exception as exc:
            pending = session.new or session.dirty or session.deleted
            if alone or writes.count != before or pending or isinstance(exc, SQLAlchemyError):
                raise
            return False, exc


class _WriteCounter:
    """How many statements other than SELECT the session's connection has sent."""

    def __init__(self, session: Session) -> None:
        self.count = 0
        event.listen(session.connection(), "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        statement: str = args[2]
        if not statement.lstrip()[:6].upper().startswith("SELECT"):
            self.count += 1


T = TypeVar("T")
R = TypeVar("R")


class PublicWriter:
    """A route's handle on its app's writer threads: the route is async and awaits
    `run(work)`; the work runs in a transaction committed on a writer thread. The routes that
    use it are the app's public writes (petitions/routes.py PUBLIC_WRITES), plain routes
    ahead of all the others.

    Writes run on threads of their own (`WRITER_THREADS`, one by default), so a surge of
    signatures queues for those and page views keep the page pool. And no `SessionDep`: a sync
    dependency costs two more thread hand-offs per request, and the commit would wait behind
    them with the client's rate-limit row (on SQLite, the one write lock) still taken.
    """

    def __init__(self, request: Request) -> None:
        state = request.app.state
        if getattr(state, "group_commit", None) is None:
            settings = state.settings
            state.group_commit = GroupCommit(
                state.engine,
                threads=settings.writer_threads_per_process,
                batch=settings.writer_batch,
            )
        self.writes: GroupCommit = state.group_commit

    async def run(self, work: Callable[[Session], T], *, key: str = "") -> T:
        """`work(session)` in a committed transaction; `key` orders it within its batch (see
        the module's docstring)."""
        return await self.run_then(work, _unchanged, key=key)

    async def run_then(
        self, work: Callable[[Session], T], then: Callable[[T], R], *, key: str = ""
    ) -> R:
        """As `run`, then `then(result)` on the same thread after the commit: a page rendered
        there holds no row lock (a surge's next confirmation of the petition need not wait
        for it) and keeps the event loop free."""
        answer: R = await self.writes.submit(work, then, key=key)
        return answer


def _unchanged(result: T) -> T:
    return result
