"""CPU time per request of one app process, run by hand (needs wrk; py-spy for --profile):

    python bench/one_process.py [--seconds 10] [--profile /tmp/sign.txt]

Serves one `campaign serve` process on a fresh PostgreSQL database, sends it sign POSTs, page
GETs and then confirmation POSTs for the signatures just made, 32 connections each, and prints
requests/s and CPU milliseconds per request of the serving process. Steadier than requests/s on
a shared machine, so before/after comparisons of a change use it. With --profile, py-spy samples
the process while it holds the GIL (its CPU work) and writes collapsed stacks per scenario.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session, select  # noqa: E402

from bench.run import SECRET, browser, database, serve_app, stop, tree_cpu, wrk  # noqa: E402
from campaign.accounts.service.organisations import create_organisation  # noqa: E402
from campaign.core.crypto import use_keys  # noqa: E402
from campaign.core.db import make_engine, transaction, utcnow  # noqa: E402
from campaign.core.migrate import upgrade  # noqa: E402
from campaign.core.settings import load_settings  # noqa: E402
from campaign.petitions.models import Petition, PetitionStatus, Signature  # noqa: E402
from campaign.petitions.service import signing  # noqa: E402

BASE = "http://127.0.0.1:8800"


def measure(app: subprocess.Popen[bytes], name: str, profile: str | None, **load: object) -> None:
    spy = None
    if profile:
        output = f"{profile}.{name}"
        spy = subprocess.Popen(
            [
                *("py-spy", "record", "-p", str(app.pid), "-o", output, "--format", "raw"),
                *("-r", "200", "--nonblocking", "--gil"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    before = tree_cpu(app.pid)
    result = wrk(**load)  # type: ignore[arg-type]
    used = tree_cpu(app.pid) - before
    if spy:
        spy.send_signal(2)
        spy.wait()
    print(
        f"{name:<10} {result['rps']:6.0f}/s  p99 {result['p99']:7.1f} ms  "
        f"errors {int(result['errors'])}  CPU {1000 * used / max(result['requests'], 1):.2f} ms/request"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--profile", help="write py-spy's collapsed stacks to PROFILE.<scenario>")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="campaign-one-"))
    url = database("postgresql", "campaign_one_process", workdir)
    upgrade(url)
    settings = load_settings(database_url=url, secret_key=SECRET)
    use_keys(settings.data_keys)
    engine = make_engine(url)
    with transaction(engine) as session:
        session.add(
            Petition(
                slug="bench",
                title="Benchmark petition",
                status=PetitionStatus.open,
                published_at=utcnow(),
                goal=1000,
                organisation_id=create_organisation(session, "Benchmark").id,
            )
        )
    app = serve_app(url, 8800, 1)
    try:
        cookie, token, started = browser(BASE, "bench")
        time.sleep(3.2)  # the form's minimum fill time
        body = (
            f"csrf_token={token}&started={started}&name=Bench+Signer&country=LT&city=Vilnius"
            "&consent=1"
        )
        sign = {"BENCH_COOKIE": cookie, "BENCH_BODY": body, "BENCH_PATH": "/petitions/bench/sign"}
        common = {"seconds": args.seconds, "connections": 32}
        measure(
            app,
            "sign",
            args.profile,
            url=f"{BASE}/petitions/bench/sign",
            script="sign.lua",
            env={**sign, "BENCH_RUN": "one"},
            **common,
        )
        measure(
            app,
            "page",
            args.profile,
            url=f"{BASE}/petitions/bench?lang=en",
            headers=[f"Cookie: {cookie}"],
            **common,
        )
        with Session(engine) as session:
            signatures = session.exec(select(Signature)).all()
            tokens = [signing.confirmation_token(settings, s) for s in signatures]
        half = len(tokens) // 2
        for thread, chunk in ((1, tokens[:half]), (2, tokens[half:])):
            (workdir / f"tokens.{thread}").write_text("\n".join(chunk))
        measure(
            app,
            "confirm",
            args.profile,
            url=f"{BASE}/petitions/bench/confirm",
            script="confirm.lua",
            env={
                "BENCH_COOKIE": cookie,
                "BENCH_CSRF": token,
                "BENCH_PATH": "/petitions/bench/confirm",
                "BENCH_TOKENS": str(workdir / "tokens"),
            },
            seconds=max(2, min(args.seconds, len(tokens) // 200)),
            connections=32,
        )
    finally:
        stop(app)
        engine.dispose()


if __name__ == "__main__":
    main()
