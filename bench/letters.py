"""Letters benchmark, run by hand: python bench/letters.py --db postgresql [--seconds 15]

A supporter's "download to print and post" of the demo letter campaign: each request renders
the campaign's template for each of its three officials, lays the letters out for a window
envelope in one PDF (embedded Unicode font) and counts them. Served the production way, loaded
with wrk, next to the floor: a bare FastAPI endpoint doing one SELECT and a PDF of three
one-page letters in the same font. Afterwards the letters counted equal the PDFs served
times three. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from bench.run import SECRET, database, line, serve_app, serve_floor, stop, wrk  # noqa: E402
from campaign.core.db import make_engine, transaction  # noqa: E402
from campaign.core.migrate import upgrade  # noqa: E402
from campaign.core.settings import load_settings  # noqa: E402
from campaign.site.demo import LETTER_CAMPAIGN, load_demo  # noqa: E402

OFFICIALS = 3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="campaign-bench-letters-"))
    url = database(args.db, "campaign_bench_letters", workdir)
    floor_url = database(args.db, "campaign_floor", workdir)
    upgrade(url)
    engine = make_engine(url)
    with transaction(engine) as session:
        load_demo(session, settings=load_settings(database_url=url, secret_key=SECRET))
    print(
        f"# {platform.node()} · {os.cpu_count()} cores · {platform.python_version()} · {args.db}"
        f" · {args.workers} app processes · {time.strftime('%Y-%m-%d %H:%M')}"
    )
    floor = serve_floor(floor_url, 8801)
    try:
        floor_pdf = wrk(
            "http://127.0.0.1:8801/floor/pdf",
            seconds=args.seconds,
            connections=8,
            script="form.lua",
            env={"BENCH_BODY": f"letters={OFFICIALS}"},
            server=floor,
        )
    finally:
        stop(floor)
    app = serve_app(url, 8800, args.workers)
    base = "http://127.0.0.1:8800"
    path = f"/letters/{LETTER_CAMPAIGN['slug']}"
    try:
        # The campaign page is a shared one (#21): no cookie, no token; the form is judged by
        # its Origin, which a client without one (this) passes.
        with urllib.request.urlopen(f"{base}{path}?lang=en") as response:
            response.read()
        body = (
            "name=Bench+Writer&city=Krak%C3%B3w&country=PL"
            "&paragraph=I+think+of+her+every+day.&channel=print&count_me=1"
        )
        request = urllib.request.Request(f"{base}{path}/send", data=body.encode())
        with urllib.request.urlopen(request) as response:
            if response.headers["content-type"] != "application/pdf":
                raise SystemExit(f"no PDF came back: {response.read()[:300]!r}")
        result = wrk(
            f"{base}{path}/send",
            seconds=args.seconds,
            connections=8,
            script="form.lua",
            env={"BENCH_BODY": body},
            server=app,
        )
    finally:
        stop(app)
    print(line("printed letters POST (3 letters)", result, floor_pdf))
    print(
        f"{'  letters rendered per second':<34} {result['rps'] * OFFICIALS:8.0f}/s"
        f"  (floor {floor_pdf['rps'] * OFFICIALS:.0f}/s)"
    )
    with engine.connect() as connection:
        counted = connection.execute(
            text("SELECT coalesce(sum(count), 0) FROM letter_count")
        ).scalar()
    served = (int(result["requests"]) + 1) * OFFICIALS
    verdict = "OK" if counted >= served else "MISMATCH"
    print(
        f"{'  check: counted / served':<34} {counted} / {served}  {verdict}"
        " (requests in flight at the cut-off are counted too)"
    )
    engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
