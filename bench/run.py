"""Petition benchmarks, run by hand: python bench/run.py --db postgresql [--seconds 15]

Starts the app the production way (several uvicorn processes, no access log) and a bare
FastAPI floor app on the same stack, loads both from wrk over loopback, checks correctness
afterwards, and prints one line per scenario with the ratio to the floor measured in the
same run. Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from campaign.accounts.service.organisations import create_organisation  # noqa: E402
from campaign.core.crypto import keyring  # noqa: E402
from campaign.core.db import transaction, utcnow  # noqa: E402
from campaign.core.migrate import upgrade  # noqa: E402
from campaign.core.settings import load_settings  # noqa: E402
from campaign.petitions.models import Petition, PetitionStatus, Signature  # noqa: E402
from campaign.petitions.service.signing import confirmation_token  # noqa: E402

SECRET = "bench-secret-key-" + "x" * 40
BENCH_TOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def database(kind: str, name: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / (name + '.db')}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    script: str | None = None,
    env: dict[str, str] | None = None,
    headers: list[str] | None = None,
    server: subprocess.Popen[bytes] | None = None,
) -> dict[str, float]:
    """wrk's figures; with `server`, also the CPU time its processes spent per request."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers or []:
        command += ["-H", header]
    if script:
        command += ["-s", str(ROOT / "bench" / script)]
    time.sleep(2)  # let the server drain the previous scenario's backlog
    cpu_before = tree_cpu(server.pid) if server else 0.0
    output = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    ).stdout
    if "Requests/sec" not in output or " 0 requests in" in output:
        print(output, file=sys.stderr)

    def latency(label: str) -> float:
        match = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", output)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    cpu = (tree_cpu(server.pid) - cpu_before) * 1000 / max(requests, 1) if server else 0.0
    return {
        "cpu_ms": cpu,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": latency("50"),
        "p99": latency("99"),
        "requests": requests,
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
    }


def tree_cpu(pid: int) -> float:
    """CPU seconds used so far by a process and its descendants (the app's worker processes)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_cpu(int(child))
    except OSError:
        pass  # it ended meanwhile
    return total


def serve_app(
    url: str, port: int, workers: int, log: Path | None = None, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **(extra or {}),
        "ENV": "development",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "TRUSTED_PROXIES": "127.0.0.1",
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "campaign", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb") if log else subprocess.DEVNULL,
    )
    wait_for(f"http://127.0.0.1:{port}/healthz")
    return process


def serve_floor(url: str, port: int) -> subprocess.Popen[bytes]:
    engine = create_engine(url)
    with engine.begin() as connection:
        serial = (
            "INTEGER PRIMARY KEY AUTOINCREMENT"
            if url.startswith("sqlite")
            else "SERIAL PRIMARY KEY"
        )
        connection.execute(
            text(f"CREATE TABLE IF NOT EXISTS floor_row (id {serial}, email VARCHAR(254))")
        )
    engine.dispose()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.floor_app:app",
            "--port",
            str(port),
            "--workers",
            "2",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "FLOOR_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(f"http://127.0.0.1:{port}/floor/page")
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def browser(base: str, slug: str) -> tuple[str, str, str]:
    """A browser that has read the petition's page and focused its form: the fill-time stamp
    cookie /stamp sets. The sign form carries no CSRF token and no stamp of its own (#21), so
    the token and the form's stamp are empty; the cookie dates the start of filling."""
    with urllib.request.urlopen(f"{base}/petitions/{slug}?lang=en") as response:
        response.read()
    with urllib.request.urlopen(f"{base}/stamp") as response:
        cookie = response.headers["set-cookie"].split(";")[0]
    return cookie, "", ""


def line(name: str, result: dict[str, float], floor: dict[str, float] | None) -> str:
    ratio = ""
    if floor:
        ratio = f"{result['rps'] / floor['rps']:.0%} of floor ({floor['rps']:.0f}/s, p99 {floor['p99']:.1f} ms)"
    cpu = ""
    if result.get("cpu_ms"):
        cpu = f"  CPU {result['cpu_ms']:.2f} ms/request"
        if floor and floor.get("cpu_ms"):
            cpu += f" (floor {floor['cpu_ms']:.2f})"
    return (
        f"{name:<34} {result['rps']:8.0f}/s  p50 {result['p50']:6.1f} ms  p99 {result['p99']:7.1f} ms  "
        f"errors {int(result['errors'])}  {ratio}{cpu}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--only-export", action="store_true", help="skip the HTTP scenarios")
    parser.add_argument(
        "--only-outage", action="store_true", help="only the database outage in a sign surge"
    )
    parser.add_argument(
        "--only-cache", action="store_true", help="only the page through nginx's shared cache"
    )
    parser.add_argument(
        "--only-sign",
        action="store_true",
        help="only the floor's INSERT, signing and confirming, with their checks (to compare changes)",
    )
    parser.add_argument(
        "--async-floor",
        action="store_true",
        help="only the floor's INSERT, sync and through an async driver (PostgreSQL)",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="campaign-bench-"))
    url = database(args.db, "campaign_bench", workdir)
    floor_url = database(args.db, "campaign_floor", workdir)
    upgrade(url)
    settings = load_settings(database_url=url, secret_key=SECRET)
    engine = (
        create_engine(url)
        if args.db == "postgresql"
        else __import__("campaign.core.db").core.db.make_engine(url)
    )
    with transaction(engine) as session:
        petition = Petition(
            slug="bench",
            title="Benchmark petition",
            status=PetitionStatus.open,
            published_at=utcnow(),
            goal=1000,
            organisation_id=create_organisation(session, "Benchmark").id,
        )
        session.add(petition)
        session.flush()
        petition_id = petition.id
    print(
        f"# {platform.node()} · {os.cpu_count()} cores · {platform.python_version()} · {args.db} · "
        f"{args.workers} app processes · {time.strftime('%Y-%m-%d %H:%M')}"
    )
    results: list[str] = []
    if args.only_export:
        print(export_benchmark(url, engine, petition_id, args.export_rows))
        engine.dispose()
        return

    if args.only_cache:
        print("\n".join(run_cache(url, args.workers, workdir, args.seconds, None)))
        engine.dispose()
        return
    if args.only_outage:
        print(run_outage(url, args.workers, workdir))
        engine.dispose()
        return

    floor = serve_floor(floor_url, 8801)
    if args.async_floor:
        try:
            for path in ("insert", "insert-async", "insert", "insert-async"):
                result = wrk(
                    f"http://127.0.0.1:8801/floor/{path}",
                    seconds=args.seconds,
                    connections=32,
                    script="plain.lua",
                    server=floor,
                )
                print(line(f"floor {path}, 32 connections", result, None))
        finally:
            stop(floor)
            engine.dispose()
        return
    try:
        floor_insert = {
            c: wrk(
                "http://127.0.0.1:8801/floor/insert",
                seconds=args.seconds,
                connections=c,
                script="plain.lua",
                server=floor,
            )
            for c in (32, 256)
        }
        floor_page = (
            {}
            if args.only_sign
            else wrk(
                "http://127.0.0.1:8801/floor/page",
                seconds=args.seconds,
                connections=32,
                server=floor,
            )
        )
    finally:
        stop(floor)

    app = serve_app(url, 8800, args.workers)
    base = "http://127.0.0.1:8800"
    try:
        cookie, token, started = browser(base, "bench")
        time.sleep(3.2)  # the form's minimum fill time
        body = f"csrf_token={token}&started={started}&name=Bench+Signer&country=LT&city=Vilnius&consent=1"
        env = {"BENCH_COOKIE": cookie, "BENCH_BODY": body, "BENCH_PATH": "/petitions/bench/sign"}
        total_sign = 0
        for connections in (32, 256):
            result = wrk(
                f"{base}/petitions/bench/sign",
                seconds=args.seconds,
                connections=connections,
                script="sign.lua",
                env={**env, "BENCH_RUN": str(connections)},
                server=app,
            )
            total_sign += int(result["requests"]) - int(result["errors"])
            results.append(
                line(f"sign POST, {connections} connections", result, floor_insert[connections])
            )
        # Viewers while the surge runs, each beside 32 signing connections: the page rendered,
        # the page revalidated by a browser that has it (pending signatures leave it unchanged),
        # and the API.
        with urllib.request.urlopen(
            urllib.request.Request(f"{base}/petitions/bench?lang=en", headers={"Cookie": cookie})
        ) as r:
            etag = r.headers["etag"]
        for name, path, headers in (
            ()
            if args.only_sign
            else (
                (
                    "petition page GET during sign surge",
                    "/petitions/bench?lang=en",
                    [f"Cookie: {cookie}"],
                ),
                (
                    "page GET, If-None-Match, in surge",
                    "/petitions/bench?lang=en",
                    [f"Cookie: {cookie}", f"If-None-Match: {etag}"],
                ),
                ("API GET during sign surge", "/api/petitions/bench", []),
            )
        ):
            with ThreadPoolExecutor(1) as pool:
                signing = pool.submit(
                    wrk,
                    f"{base}/petitions/bench/sign",
                    seconds=args.seconds,
                    connections=32,
                    script="sign.lua",
                    env={**env, "BENCH_RUN": f"surge-{len(results)}"},
                )
                viewing = wrk(
                    f"{base}{path}", seconds=args.seconds, connections=32, headers=headers
                )
                surge = signing.result()
            total_sign += int(surge["requests"]) - int(surge["errors"])
            results.append(line(name, viewing, None))
            results.append(line("  the sign surge beside it", surge, None))
        time.sleep(3)  # requests wrk abandoned at its cut-off are still served: let them finish
        with engine.connect() as connection:
            rows, mails = connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM signature), (SELECT count(*) FROM outbox_message)"
                )
            ).one()
        verdict = "OK" if rows == mails and rows >= total_sign else "MISMATCH"
        results.append(
            f"{'  check: rows / mails / completed':<34} {rows} / {mails} / {total_sign}  {verdict}"
            " (a row and a mail per request; requests in flight at the cut-off land too)"
        )

        if not args.only_sign:
            results += views(base, cookie, etag, app, args.seconds, floor_page)

        with Session(engine) as session:
            pending = session.exec(
                select(Signature).where(Signature.petition_id == petition_id)
            ).all()
            tokens = [confirmation_token(settings, s) for s in pending]
        half = len(tokens) // 2
        token_file = workdir / "tokens"
        for thread, chunk in ((1, tokens[:half]), (2, tokens[half:])):
            (workdir / f"tokens.{thread}").write_text("\n".join(chunk))
        seconds = max(2, min(args.seconds, int(len(tokens) / 2 / 400)))
        confirm = wrk(
            f"{base}/petitions/bench/confirm",
            seconds=seconds,
            connections=32,
            script="confirm.lua",
            env={
                "BENCH_COOKIE": cookie,
                "BENCH_CSRF": token,
                "BENCH_PATH": "/petitions/bench/confirm",
                "BENCH_TOKENS": str(token_file),
            },
            server=app,
        )
        results.append(line("confirmation POST", confirm, floor_insert[32]))
        time.sleep(3)
        with engine.connect() as connection:  # one statement: one consistent snapshot
            counted, shown, tallied = connection.execute(
                text(
                    "SELECT (SELECT count(*) FROM signature WHERE status = 'confirmed' AND NOT suspect),"
                    " (SELECT signature_count FROM petition WHERE id = :p),"
                    " (SELECT sum(count) FROM petition_tally WHERE petition_id = :p)"
                ),
                {"p": petition_id},
            ).one()
        results.append(
            f"{'  check: counted / total / tallies':<34} {counted} / {shown} / {tallied}"
            f"  {'OK' if counted == shown == tallied else 'MISMATCH'}"
        )
    finally:
        stop(app)

    if args.only_sign:
        print("\n".join(results))
        engine.dispose()
        return
    if shutil.which("nginx"):
        results += run_cache(url, args.workers, workdir, args.seconds, floor_page)
    results.append(export_benchmark(url, engine, petition_id, args.export_rows))
    if args.db == "postgresql":
        results.append(run_outage(url, args.workers, workdir))
    print("\n".join(results))
    engine.dispose()
    shutil.rmtree(workdir, ignore_errors=True)


def views(
    base: str,
    cookie: str,
    etag: str,
    app: subprocess.Popen[bytes],
    seconds: int,
    floor: dict[str, float],
) -> list[str]:
    """The page rendered, the page revalidated (304), and the API, each alone."""
    page = wrk(
        f"{base}/petitions/bench?lang=en",
        seconds=seconds,
        connections=32,
        headers=[f"Cookie: {cookie}"],
        server=app,
    )
    cached = wrk(
        f"{base}/petitions/bench?lang=en",
        seconds=seconds,
        connections=32,
        headers=[f"Cookie: {cookie}", f"If-None-Match: {etag}"],
        server=app,
    )
    api = wrk(f"{base}/api/petitions/bench", seconds=seconds, connections=32, server=app)
    return [
        line("petition page GET", page, floor),
        line("petition page GET, If-None-Match", cached, floor),
        line("API GET", api, floor),
    ]


def run_cache(
    url: str, workers: int, workdir: Path, seconds: int, floor: dict[str, float] | None
) -> list[str]:
    """The petition page through nginx (deploy/nginx) while signatures pour in."""
    from bench.cache import cache_benchmark, start_nginx

    log = workdir / "cache-app.log"
    app = serve_app(url, 8000, workers, log)  # the port deploy/nginx/campaign-http.conf names
    nginx = start_nginx(workdir)
    try:
        base = "http://127.0.0.1:8000"
        cookie, token, started = browser(base, "bench")
        time.sleep(3.2)  # the form's minimum fill time
        body = f"csrf_token={token}&started={started}&name=Bench+Signer&country=LT&city=Vilnius&consent=1"
        surge = {
            "url": f"{base}/petitions/bench/sign",
            "seconds": seconds,
            "connections": 32,
            "script": "sign.lua",
            "env": {
                "BENCH_COOKIE": cookie,
                "BENCH_BODY": body,
                "BENCH_PATH": "/petitions/bench/sign",
                "BENCH_RUN": "cache",
            },
        }
        return cache_benchmark(
            page="/petitions/bench?lang=en",
            app_log=log,
            seconds=seconds,
            wrk=wrk,
            line=line,
            surge=surge,
            floor=floor,
        )
    finally:
        stop(nginx)
        stop(app)


def run_outage(url: str, workers: int, workdir: Path) -> str:
    """The app (its log kept) through a database outage in the middle of a sign surge."""
    from bench.outage import outage_benchmark

    log = workdir / "outage.log"
    app = serve_app(url, 8800, workers, log)
    try:
        cookie, token, started = browser("http://127.0.0.1:8800", "bench")
        time.sleep(3.2)  # the form's minimum fill time
        body = f"csrf_token={token}&started={started}&name=Bench+Signer&country=LT&city=Vilnius&consent=1"
        return outage_benchmark(url, "http://127.0.0.1:8800", cookie=cookie, body=body, log=log)
    finally:
        stop(app)


def export_benchmark(url: str, engine, petition_id: int, rows: int, port: int = 8802) -> str:  # type: ignore[no-untyped-def]
    """Time to last byte and peak memory of one app process streaming a CSV of `rows` signatures."""
    # Personal fields are stored encrypted: a thousand real ciphertexts, cycled over the rows,
    # cost the export exactly what a million distinct ones would (one decryption per field).
    ring = keyring()
    ciphers = [
        {
            "i": i,
            "name": ring.encrypt(f"Export Signer {i}".encode(), b"signature.name"),
            "email": ring.encrypt(f"export{i}@example.org".encode(), b"signature.email"),
            "city": ring.encrypt("Kraków".encode(), b"signature.city"),
            "personal": ring.encrypt(
                f"Export Signer {i}\0export{i}@example.org\0Kraków".encode(), b"signature.personal"
            ),
        }
        for i in range(1000)
    ]
    with engine.begin() as connection:
        existing = connection.execute(text("SELECT count(*) FROM signature")).scalar()
        missing = max(0, rows - existing)
        connection.execute(
            text(
                "CREATE TEMPORARY TABLE bench_cipher"
                " (i INTEGER, name TEXT, email TEXT, city TEXT, personal TEXT)"
            )
        )
        connection.execute(
            text("INSERT INTO bench_cipher VALUES (:i, :name, :email, :city, :personal)"), ciphers
        )
        columns = (
            "INSERT INTO signature (petition_id, name, email, email_hash, country, city, personal,"
            " consent,"
            " wants_updates, show_publicly, locale, status, suspect, suspect_reason, ip_hash,"
            " token_nonce, mails_sent, created_at, invalidation_reason)"
        )
        if url.startswith("postgresql"):
            connection.execute(
                text(
                    f"{columns} SELECT :pid, c.name, c.email, md5(n::text) || md5(n::text),"
                    " 'PL', c.city, c.personal, true, false, false, 'en', 'confirmed', false, '', '', '', 1,"
                    " now(), '' FROM generate_series(1, :missing) AS n"
                    " JOIN bench_cipher AS c ON c.i = n % 1000"
                ),
                {"pid": petition_id, "missing": missing},
            )
        else:
            connection.execute(
                text(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :missing)"
                    f" {columns} SELECT :pid, c.name, c.email, hex(randomblob(32)),"
                    " 'PL', c.city, c.personal, 1, 0, 0, 'en', 'confirmed', 0, '', '', '', 1, datetime('now'), ''"
                    " FROM n JOIN bench_cipher AS c ON c.i = n.i % 1000"
                ),
                {"pid": petition_id, "missing": missing},
            )
    # What autovacuum does after a load like this; without fresh statistics PostgreSQL plans
    # each batch of the export as a scan of the whole petition (0.4 s instead of 1.4 ms).
    with engine.connect() as connection:
        connection.execute(text("ANALYZE signature"))
        connection.commit()
    from campaign.accounts.models import Organisation, OrgRole, Role
    from campaign.accounts.service.accounts import create_organiser
    from campaign.accounts.service.organisations import add_member

    with transaction(engine) as session:
        # A data steward of the petition's organisation (who may export), with two-factor
        # login set up, as the site asks of anyone who sees supporters' names.
        steward = create_organiser(
            session,
            email="bench@example.org",
            password="violet kettle harbour 2026",
            role=Role.organiser,
        )
        petition = session.get(Petition, petition_id)
        organisation = session.get(Organisation, petition.organisation_id)  # type: ignore[union-attr]
        add_member(session, organisation, steward, OrgRole.steward)  # type: ignore[arg-type]
        steward.totp_secret, steward.totp_enabled_at = BENCH_TOTP, utcnow()
        session.add(steward)
    elapsed, size, before, peak = time_export(url, petition_id, port)
    return (
        f"{'CSV export, ' + format(rows, ',') + ' rows':<34} {elapsed:6.1f} s to last byte  "
        f"{size / 1e6:.0f} MB  RSS {before:.0f} MB before, peak {peak:.0f} MB"
    )


def time_export(
    url: str, petition_id: int, port: int = 8802, extra: dict[str, str] | None = None
) -> tuple[float, int, float, float]:
    """Seconds to the last byte, bytes, and the serving process's RSS before and at its peak
    (MB) of one export by the bench's organiser; `extra`: the app's environment on top."""
    app = serve_app(url, port, 1, extra=extra)
    try:
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        html = opener.open(f"{base}/login").read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        data = f"email=bench@example.org&password=violet+kettle+harbour+2026&csrf_token={token}".encode()
        html = opener.open(urllib.request.Request(f"{base}/login", data=data)).read().decode()
        pending = re.search(r'name="pending" value="([^"]+)"', html)
        if pending:  # the second step: the code the steward's authenticator shows
            engine = create_engine(url)
            with engine.begin() as connection:  # each code works once; runs log in more often
                connection.execute(text("UPDATE user_account SET totp_last_step = 0"))
            engine.dispose()
            code = pyotp.TOTP(BENCH_TOTP).now()
            data = f"pending={pending.group(1)}&code={code}&csrf_token={token}".encode()
            opener.open(urllib.request.Request(f"{base}/login/code", data=data))
        # Logging in hashed a password with argon2 (64 MiB): start the peak from here, so it is
        # the export's own.
        Path(f"/proc/{app.pid}/clear_refs").write_text("5")
        before = _rss(app.pid)
        started = time.perf_counter()
        size = 0
        with opener.open(f"{base}/admin/petitions/{petition_id}/export/signatures.csv") as response:
            while chunk := response.read(1 << 16):
                size += len(chunk)
        elapsed = time.perf_counter() - started
        peak = _peak(app.pid)
    finally:
        stop(app)
    return elapsed, size, before, peak


def _rss(pid: int) -> float:
    return _status(pid, "VmRSS")


def _peak(pid: int) -> float:
    return _status(pid, "VmHWM")


def _status(pid: int, field: str) -> float:
    for entry in Path(f"/proc/{pid}/status").read_text().splitlines():
        if entry.startswith(field):
            return int(entry.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
