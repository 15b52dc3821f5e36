"""`campaign dev` (what `make run` runs) ends cleanly on Ctrl-C: exit 0, so make says nothing."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from campaign.core.settings import PROJECT_DIR
from tests.conftest import TEST_DATA_KEY, TEST_SECRET
from tests.smtp_server import free_port


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# As a terminal's foreground job; and as a job a shell started in the background, which
# inherits Ctrl-C ignored (the server's own handler still stops it: it must not count as failure).
@pytest.mark.parametrize("inherited", ["default", "ignored"])
def test_ctrl_c_stops_the_development_server_with_exit_0(tmp_path: Path, inherited: str) -> None:
    port, smtp_port = free_port(), free_port()
    environment = {
        **os.environ,
        "ENV": "development",
        "SECRET_KEY": TEST_SECRET,
        "DATA_KEYS": TEST_DATA_KEY,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.db'}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "DEV_MAIL_DIR": str(tmp_path / "mail"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    # Its own process group, as a terminal's foreground job: Ctrl-C reaches every process in it.
    process = subprocess.Popen(
        [sys.executable, "-m", "campaign", "dev", "--port", str(port)],
        env=environment,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_ignore_ctrl_c if inherited == "ignored" else None,
    )
    try:
        deadline = time.monotonic() + 90
        while not _listening(port):
            assert process.poll() is None, process.stdout.read()  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "campaign dev did not start"
            time.sleep(0.2)
        time.sleep(1)  # the worker and the catcher are up too
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    text = output.decode(errors="replace")
    assert process.returncode == 0, text
    assert "Traceback" not in text
    assert "press Ctrl-C to stop" in text
