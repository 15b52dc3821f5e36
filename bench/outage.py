"""The database goes away in the middle of a sign surge (#21): 32 clients sign for `seconds`,
PostgreSQL refuses the bench database for `away` seconds in the middle (as when it is stopped:
new connections refused, open ones dropped), and the report says what the clients got, what was
stored and what the log took."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import create_engine, make_url, text


def _away(url: str, seconds: float) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = make_url(url).database
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
    time.sleep(seconds)
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()


def _rows(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        count = int(connection.execute(text("SELECT count(*) FROM signature")).scalar_one())
    engine.dispose()
    return count


def outage_benchmark(
    url: str,
    base: str,
    *,
    cookie: str,
    body: str,
    log: Path,
    seconds: int = 30,
    away: float = 8.0,
    clients: int = 32,
) -> str:
    statuses: Counter[str] = Counter()
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        sent = 0
        with httpx.Client(base_url=base, timeout=30, headers={"cookie": cookie}) as http:
            while time.monotonic() < stop_at:
                sent += 1
                email = f"outage-{number}-{sent}@example.org"
                content = f"{body}&email={email}"
                try:
                    answer = http.post(
                        "/petitions/bench/sign",
                        content=content,
                        headers={
                            "content-type": "application/x-www-form-urlencoded",
                            "x-forwarded-for": f"10.{number}.{random.randint(0, 255)}.{random.randint(1, 254)}",
                        },
                    )
                    status = str(answer.status_code)
                    if answer.status_code == 503 and "retry-after" not in answer.headers:
                        status += " without Retry-After"
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    statuses[status] += 1
                    if status == "303":
                        acknowledged.append(email)

    before = _rows(url)
    with ThreadPoolExecutor(clients + 1) as pool:
        futures = [pool.submit(client, n) for n in range(clients)]
        time.sleep(seconds / 3)
        pool.submit(_away, url, away).result()
        for future in futures:
            future.result()
    time.sleep(3)  # what was in flight lands
    stored = _rows(url) - before
    output = log.read_text(errors="replace")
    tracebacks = output.count("Traceback")
    quiet = sum(1 for line in output.splitlines() if "database unreachable" in line)
    got = ", ".join(f"{status}: {count}" for status, count in sorted(statuses.items()))
    return (
        f"outage: PostgreSQL refused for {away:.0f} s of a {seconds} s, {clients}-client sign surge\n"
        f"  clients got {got}\n"
        f"  acknowledged (303) {len(acknowledged)}; rows stored {stored} "
        f"({'every acknowledged signature stored' if stored >= len(acknowledged) else 'LOST'})\n"
        f"  log: {tracebacks} tracebacks, {quiet} 'database unreachable' lines, "
        f"{len(output.splitlines())} lines in all"
    )
