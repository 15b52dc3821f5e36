"""Viewers through the shared cache (#21): nginx with deploy/nginx/*.conf, the very files a
production install uses, in front of `campaign serve`; a sign surge runs beside the viewers
(straight to the app, as from many clients behind a trusted proxy: its rate limits see them
apart); the app's access log says how often it rendered the page."""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "nginx"
CACHE_DIR = Path("/var/lib/nginx/campaign-cache")  # as in campaign-http.conf
PORT = 8090


def start_nginx(workdir: Path) -> subprocess.Popen[bytes]:
    """nginx on PORT with the shipped http-level and location files, an empty cache."""
    shutil.rmtree(CACHE_DIR, ignore_errors=True)
    CACHE_DIR.parent.mkdir(parents=True, exist_ok=True)
    Path("/var/log/nginx").mkdir(parents=True, exist_ok=True)
    conf = workdir / "nginx.conf"
    conf.write_text(
        "worker_processes 2;\n"
        f"pid {workdir}/nginx.pid;\n"
        f"error_log {workdir}/nginx-error.log warn;\n"
        "events { worker_connections 4096; }\n"
        "http {\n"
        f"  include {DEPLOY}/campaign-http.conf;\n"
        f"  server {{ listen 127.0.0.1:{PORT}; include {DEPLOY}/campaign-locations.conf; }}\n"
        "}\n"
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(workdir), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz").close()
            return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit("nginx did not come up: " + (workdir / "nginx-error.log").read_text())


def renders(log: Path, path: str) -> tuple[int, int]:
    """How many times so far the app answered GET `path` with the page (200), and with a 304
    to nginx's revalidation (which renders the page too, to compare its ETag)."""
    lines = log.read_text(errors="replace").splitlines()
    return tuple(sum(1 for line in lines if f"GET {path} {code} " in line) for code in (200, 304))  # type: ignore[return-value]


def cache_benchmark(
    *,
    page: str,
    app_log: Path,
    seconds: int,
    wrk: Callable[..., dict[str, float]],
    line: Callable[[str, dict[str, float], dict[str, float] | None], str],
    surge: dict[str, Any],
    floor: dict[str, float] | None,
) -> list[str]:
    """The page through nginx, alone and beside a 32-connection sign surge; renders counted."""
    url = f"http://127.0.0.1:{PORT}{page}"
    urllib.request.urlopen(url).close()  # the first visitor fills the cache
    path = page.split("?", 1)[0]
    results = []
    before = renders(app_log, path)
    alone = wrk(url, seconds=seconds, connections=32)
    results.append(line("page GET through nginx", alone, floor))
    with ThreadPoolExecutor(1) as pool:
        signing = pool.submit(wrk, **surge)
        viewing = wrk(url, seconds=seconds, connections=32)
        signed = signing.result()
    results.append(line("page GET through nginx, in surge", viewing, floor))
    results.append(line("  the sign surge beside it", signed, None))
    after = renders(app_log, path)
    full, revalidated = after[0] - before[0], after[1] - before[1]
    results.append(
        f"{'  app renders of the page':<34} {full} full + {revalidated} revalidations (304) in "
        f"{2 * seconds + 4} s of viewing ({int(alone['requests'] + viewing['requests'])} views)"
    )
    return results
