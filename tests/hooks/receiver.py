"""A real HTTP receiver on a free loopback port, as an organisation's system would run one: it
checks each delivery's signature with the secret, fails the first `fail_first` posts with HTTP
500 and accepts the rest, keeping what it was sent."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REPLAY_WINDOW = 300  # seconds: an older Webhook-Timestamp is refused as a replay


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The check the README shows receivers: HMAC-SHA256 over "{timestamp}.{body}"."""
    timestamp = headers.get("Webhook-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > REPLAY_WINDOW:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    given = [part.removeprefix("v1=") for part in headers.get("Webhook-Signature", "").split()]
    return any(hmac.compare_digest(expected.hexdigest(), value) for value in given)


@dataclass
class Post:
    headers: dict[str, str]
    body: bytes
    answered: int
    verified: bool

    @property
    def document(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    fail_first: int = 0
    secret: str = ""
    posts: list[Post] = field(default_factory=list)

    @property
    def accepted(self) -> list[Post]:
        """The posts answered 2xx: what the receiving system took in."""
        return [post for post in self.posts if post.answered == 200]

    def events(self) -> list[str]:
        return [post.document["event"] for post in self.accepted]


@contextmanager
def receiver(fail_first: int = 0) -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 until the block ends."""
    lock = threading.Lock()
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {key: value for key, value in self.headers.items()}
            with lock:
                target = box[0]
                status = 500 if len(target.posts) < target.fail_first else 200
                verified = verify(target.secret, headers, body)
                target.posts.append(Post(headers, body, status, verified))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks", fail_first=fail_first))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
