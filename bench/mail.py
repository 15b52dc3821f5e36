"""Mail benchmark, run by hand: python bench/mail.py --db postgresql [--messages 4000]

Queues confirmation mails the way signing does, then lets 1 and then 2 `campaign worker`
processes send them to an aiosmtpd server on loopback, and reports messages per second next to
the floor: a bare aiosmtplib client sending one pre-rendered message per outbox row over one
reused connection and marking that row sent with one UPDATE (the least a worker that sends each
message exactly once must do). Afterwards every row is sent and the server received each
Message-ID exactly once. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from bench.run import SECRET, database  # noqa: E402
from campaign.core.db import make_engine, transaction  # noqa: E402
from campaign.core.migrate import upgrade  # noqa: E402
from campaign.mail import outbox  # noqa: E402

SMTP_PORT = 8825
MESSAGE_ID = re.compile(rb"^Message-ID: *(<[^>]+>)", re.MULTILINE | re.IGNORECASE)


class Counting:
    """An SMTP server's handler that keeps the Message-ID of every message it accepts."""

    def __init__(self) -> None:
        self.ids: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        match = MESSAGE_ID.search(envelope.content)
        with self.lock:
            self.ids.append(match.group(1) if match else b"")
        return "250 OK"


def queue(url: str, count: int, run: str) -> None:
    """`count` confirmation mails in the outbox, as signing queues them."""
    engine = make_engine(url)
    with transaction(engine) as session:
        for n in range(count):
            outbox.enqueue(
                session,
                to=f"mail-{run}-{n}@example.org",
                template="confirm_signature",
                context={
                    "name": f"Bench Signer {n}",
                    "title": "Free the prisoners of conscience",
                    "url": f"http://127.0.0.1/petitions/bench/confirm?token=t{n}&lang=en",
                    "days": 7,
                },
                locale="en",
                base_url="http://127.0.0.1",
            )
    engine.dispose()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_workers(url: str, workers: int, after: int, expected: int) -> tuple[float, float]:
    """Start `workers` mail workers, wait until the `expected` rows queued after row `after`
    are sent; messages per second, and messages per CPU-second the workers used.

    The rate is taken between the first and the last row's sent_at, so process start-up
    (imports, migrations check) does not count.
    """
    env = {
        **os.environ,
        "ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(SMTP_PORT),
        "LOG_LEVEL": "WARNING",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "campaign", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    engine = create_engine(url)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                sent = connection.execute(
                    text("SELECT count(*) FROM outbox_message WHERE status = 'sent' AND id > :a"),
                    {"a": after},
                ).scalar()
            if sent >= expected:
                break
            time.sleep(0.5)
        used = sum(cpu_seconds(process.pid) for process in processes)
        with engine.connect() as connection:
            first, last, sent = connection.execute(
                text(
                    "SELECT min(sent_at), max(sent_at), count(*) FROM outbox_message"
                    " WHERE status = 'sent' AND id > :a"
                ),
                {"a": after},
            ).one()
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
        engine.dispose()
    if isinstance(first, str):  # SQLite hands timestamps back as text
        from datetime import datetime

        first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
    return (expected - 1) / max((last - first).total_seconds(), 1e-6), expected / used


def last_id(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text("SELECT coalesce(max(id), 0) FROM outbox_message")).scalar()
    engine.dispose()
    return int(value or 0)


def floor(url: str, count: int) -> float:
    """The floor in its own process: bench/mail_floor.py prints its rate."""
    output = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "mail_floor.py"), url, str(SMTP_PORT), str(count)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    return float(output.split()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--messages", type=int, default=4000, help="per run")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="campaign-bench-mail-"))
    url = database(args.db, "campaign_bench_mail", workdir)
    upgrade(url)
    handler = Counting()
    server = Controller(handler, hostname="127.0.0.1", port=SMTP_PORT)
    server.start()
    print(
        f"# {platform.node()} · {os.cpu_count()} cores · {platform.python_version()} · {args.db}"
        f" · {args.messages} messages per run · {time.strftime('%Y-%m-%d %H:%M')}"
    )
    try:
        floor_rate = floor(url, args.messages)
        print(f"{'floor (aiosmtplib + one UPDATE)':<34} {floor_rate:8.0f} messages/s")
        floor_ids = len(handler.ids)
        rates = {}
        for workers in (1, 2):
            after = last_id(url)
            queue(url, args.messages * workers, f"w{workers}")
            sink_cpu = time.process_time()
            rates[workers], per_cpu = run_workers(url, workers, after, args.messages * workers)
            sink_cpu = time.process_time() - sink_cpu
            ratio = rates[workers] / floor_rate
            print(
                f"{f'mail, {workers} worker(s)':<34} {rates[workers]:8.0f} messages/s  "
                f"{rates[workers] / workers:6.0f}/s per worker  {ratio:.0%} of floor  "
                f"{per_cpu:.0f} per worker CPU-second (incl. start-up); "
                f"the SMTP server used {sink_cpu:.1f} CPU-s"
            )
        time.sleep(1)
        received = handler.ids[floor_ids:]
        engine = create_engine(url)
        with engine.connect() as connection:
            rows, sent = connection.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM outbox_message"
                    if args.db == "postgresql"
                    else "SELECT count(*), sum(status = 'sent') FROM outbox_message"
                )
            ).one()
        engine.dispose()
        unique = len(set(received))
        verdict = "OK" if rows == sent == len(received) == unique else "MISMATCH"
        print(
            f"{'  check: rows / sent / received / distinct':<34} {rows} / {sent} / {len(received)}"
            f" / {unique}  {verdict}"
        )
        print(f"{'  2 workers vs 1':<34} {rates[2] / rates[1]:.2f}x")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
