"""Client addresses, keyed hashes, tokens and rate-limit counters."""

import time

from sqlalchemy import Engine
from starlette.requests import Request

from campaign.core.db import transaction
from campaign.core.ratelimit import DatabaseStorage, Limiter, purge_expired_counters
from campaign.core.security import client_ip, ip_hash, read_token, signer
from campaign.core.settings import load_settings

SECRET = "k" * 40


def request_from(peer: str, forwarded: str | None = None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request(
        {"type": "http", "method": "GET", "path": "/", "headers": headers, "client": (peer, 5555)}
    )


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored() -> None:
    settings = load_settings(secret_key=SECRET)
    assert client_ip(request_from("198.51.100.7", "203.0.113.1"), settings) == "198.51.100.7"


def test_a_rotating_forwarded_header_cannot_escape_a_limit() -> None:
    settings = load_settings(secret_key=SECRET)
    hashes = {ip_hash(request_from("198.51.100.7", f"203.0.113.{n}"), settings) for n in range(50)}
    assert len(hashes) == 1


def test_a_trusted_proxy_passes_on_the_client_address() -> None:
    settings = load_settings(secret_key=SECRET, trusted_proxies="10.0.0.0/8")
    assert client_ip(request_from("10.1.2.3", "203.0.113.1"), settings) == "203.0.113.1"
    # A client-supplied entry to the left of the real one is not believed.
    assert client_ip(request_from("10.1.2.3", "1.2.3.4, 203.0.113.1"), settings) == "203.0.113.1"
    assert client_ip(request_from("10.1.2.3", "203.0.113.1, 10.9.9.9"), settings) == "203.0.113.1"
    assert client_ip(request_from("10.1.2.3", "garbage"), settings) == "10.1.2.3"


def test_an_address_is_kept_only_as_a_keyed_hash() -> None:
    settings = load_settings(secret_key=SECRET)
    other = load_settings(secret_key="z" * 40)
    request = request_from("198.51.100.7")
    digest = ip_hash(request, settings)
    assert "198.51.100.7" not in digest and len(digest) == 64
    assert digest != ip_hash(request, other)


def test_tokens_are_bound_to_their_purpose_and_expire() -> None:
    settings = load_settings(secret_key=SECRET)
    token = signer(settings, "confirm").dumps({"id": 7})
    assert read_token(settings, "confirm", token, max_age=60) == {"id": 7}
    assert read_token(settings, "reset", token, max_age=60) is None
    assert read_token(settings, "confirm", token + "x", max_age=60) is None
    time.sleep(1.1)
    assert read_token(settings, "confirm", token, max_age=0) is None


def test_rate_limits_count_in_the_database_per_identifier(engine: Engine) -> None:
    limiter = Limiter(engine)
    assert all(limiter.hit("3/minute", "login", "a") for _ in range(3))
    assert not limiter.hit("3/minute", "login", "a")
    assert not limiter.allowed("3/minute", "login", "a")
    assert limiter.allowed("3/minute", "login", "b")
    assert 0 < limiter.retry_after("3/minute", "login", "a") <= 61
    limiter.clear("3/minute", "login", "a")
    assert limiter.allowed("3/minute", "login", "a")


def test_an_expired_window_starts_again(engine: Engine) -> None:
    storage = DatabaseStorage(engine)
    assert storage.incr("k", expiry=1) == 1
    assert storage.incr("k", expiry=1) == 2
    time.sleep(1.05)
    assert storage.get("k") == 0
    assert storage.incr("k", expiry=1) == 1
    time.sleep(1.05)
    with transaction(engine) as session:
        assert purge_expired_counters(session) == 1


def test_several_limits_count_in_one_statement(engine: Engine) -> None:
    limiter = Limiter(engine)
    assert limiter.hit_all(["2/minute", "3/hour"], "sign", "p", "ip")
    assert limiter.hit_all(["2/minute", "3/hour"], "sign", "p", "ip")
    assert not limiter.hit_all(["2/minute", "3/hour"], "sign", "p", "ip")  # the minute is full
    assert not limiter.allowed("3/hour", "sign", "p", "ip")  # and the hour has counted three
    assert limiter.hit_all(["2/minute", "3/hour"], "sign", "p", "other-ip")
