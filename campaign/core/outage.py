"""When the database cannot be reached (stopped, restarting, out of connections, locked): how
to tell, and how to say so in the log without a traceback per request.

A surge that meets a stopped database would otherwise write one traceback per request (9,080
lines in 8 seconds, #21). Here each kind of failure is one line per interval, with the number of
times it recurred, and never anything a supporter typed: the kind is the error's class and, on
PostgreSQL, its SQLSTATE, not its message.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import exc as sa_exc

# Connection refused or lost, the server shutting down, a lock or statement timeout, no
# connection free in the pool: nothing the request did wrong, and worth a retry in a minute.
UNREACHABLE: tuple[type[Exception], ...] = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
)
# What the 503 asks a client to wait, in seconds.
RETRY_AFTER = 30
INTERVAL = 10.0

log = logging.getLogger("campaign.outage")


def unreachable(exc: BaseException) -> bool:
    """Whether this error means the database could not be reached, rather than a bug."""
    if isinstance(exc, UNREACHABLE):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated


def kind(exc: BaseException) -> str:
    """A name for the failure that carries no data: the driver's error class and SQLSTATE."""
    cause = getattr(exc, "orig", None) or exc
    state = getattr(cause, "sqlstate", None)
    return type(cause).__name__ + (f" {state}" if isinstance(state, str) else "")


class QuietLog:
    """Logs each kind of failure at most once per interval, with how often it recurred."""

    def __init__(self, logger: logging.Logger, interval: float = INTERVAL) -> None:
        self.logger = logger
        self.interval = interval
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._since: dict[str, int] = {}

    def report(self, what: str, failure: str) -> None:
        """One failure of this kind (`what`: where it happened, e.g. "request" or "worker")."""
        key = f"{what}: {failure}"
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                self._since[key] = self._since.get(key, 0) + 1
                return
            again = self._since.pop(key, 0)
            self._last[key] = now
        self.logger.warning("database unreachable (%s); %d more since the last line", key, again)


quiet = QuietLog(log)
