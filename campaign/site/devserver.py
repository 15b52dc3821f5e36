"""`campaign dev` (what `make run` runs): the app, the mail worker and the mail catcher at once."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from types import FrameType

import click

from campaign.core.db import check_settings_database, transaction
from campaign.core.migrate import upgrade
from campaign.core.settings import PROJECT_DIR, ConfigError, Settings
from campaign.site.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo


def _wait_for_port(host: str, port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) != 0


def _wait_for_all(processes: list[subprocess.Popen[bytes]], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(p.poll() is None for p in processes):
        time.sleep(0.1)


def run_development(settings: Settings, *, port: int, environ: dict[str, str]) -> int:
    """Prepare the database and run the three processes until Ctrl-C or one of them stops."""
    engine = check_settings_database(settings)
    upgrade(settings.database_url)
    with transaction(engine) as session:
        load_demo(session, settings=settings)
    engine.dispose()
    if not _port_free("127.0.0.1", port):
        raise ConfigError(f"port {port} is already in use; stop the other server or pass --port")

    command = [sys.executable, "-m", "campaign"]
    processes: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([*command, *args], cwd=PROJECT_DIR, env=environ)  # noqa: S603
        processes.append(process)
        return process

    def stop_all(*_: object) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()

    received: list[int] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise KeyboardInterrupt

    # Ctrl-C too, even when the shell that started us ignores it (a background job).
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        sink_port = settings.smtp_port
        if settings.smtp_host in {"127.0.0.1", "localhost"} and _port_free("127.0.0.1", sink_port):
            start("mail-sink", "--port", str(sink_port))
            if not _wait_for_port("127.0.0.1", sink_port):
                raise ConfigError(f"the mail catcher did not start on port {sink_port}")
        start("worker")
        start("serve", "--port", str(port))
        _wait_for_port("127.0.0.1", port, timeout=20)
        url = f"http://127.0.0.1:{port}"
        click.echo("")
        click.echo(f"  campaign is running at {url}")
        click.echo(f"  organiser login: {DEMO_EMAIL} / {DEMO_PASSWORD}  ({url}/login)")
        click.echo(f"  caught e-mail:   {url}/dev/mail")
        click.echo("  press Ctrl-C to stop")
        click.echo("")
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        # A process that failed says so; one stopped by Ctrl-C or that ended well is no error
        # (make would print "Error 1" for a stop asked for).
        ended = next(p.returncode for p in processes if p.returncode is not None)
        return ended if ended > 0 else 0
    except KeyboardInterrupt:
        if signal.SIGINT in received:
            # Ctrl-C in a terminal reaches the whole group: the three stop by themselves. A
            # SIGTERM on top, while one of them is closing its event loop, would print a
            # traceback ("wakeup fd") over the quiet stop.
            _wait_for_all(processes, timeout=5)
        return 0
    finally:
        stop_all()
