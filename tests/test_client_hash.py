"""Who counts as one client for the per-client limits: an IPv4 address, an IPv6 network."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from campaign.core.security import ip_hash, keyed_hash
from campaign.core.settings import ConfigError, Settings, load_settings
from campaign.petitions.models import Signature
from campaign.site.app import create_app
from tests.factories import make_petition
from tests.petitions.test_routes import sign
from tests.test_security import request_from

SECRET = "k" * 40
PROXY = "10.0.0.1"


def client_hash(address: str, **overrides: object) -> str:
    """The client hash of a request a trusted proxy forwards for `address`."""
    settings = load_settings(secret_key=SECRET, trusted_proxies="10.0.0.0/8", **overrides)
    return ip_hash(request_from(PROXY, address), settings)


def test_addresses_of_one_ipv6_64_are_one_client() -> None:
    rotating = [f"2001:db8:7:42:{n:x}:{n * 7:x}::{n + 1:x}" for n in range(8)]
    assert len({client_hash(address) for address in rotating}) == 1


def test_two_ipv6_64s_are_two_clients() -> None:
    assert client_hash("2001:db8:7:42::1") != client_hash("2001:db8:7:43::1")


def test_an_ipv4_client_is_still_counted_by_its_address() -> None:
    settings = load_settings(secret_key=SECRET)
    assert client_hash("198.51.100.7") != client_hash("198.51.100.8")
    # The same hash as before IPv6 networks were grouped: counters and stored hashes stay valid.
    assert client_hash("198.51.100.7") == keyed_hash(settings, "ip", "198.51.100.7")


def test_an_ipv4_mapped_ipv6_address_is_its_ipv4_client() -> None:
    assert client_hash("::ffff:198.51.100.7") == client_hash("198.51.100.7")
    assert client_hash("::ffff:198.51.100.7") != client_hash("::ffff:198.51.100.8")


def test_each_tor_circuit_to_the_onion_service_is_a_client_of_its_own() -> None:
    # nginx passes on the address Tor made up for each circuit (deploy/tor/torrc): all share
    # one /64, yet grouping them would put every Tor user in one bucket.
    circuits = [f"fc00:dead:beef:4dad::{n:x}:{n * 3:x}" for n in range(1, 9)]
    assert len({client_hash(address) for address in circuits}) == len(circuits)
    assert client_hash(circuits[0]) == client_hash(circuits[0])


def test_the_ipv6_prefix_length_is_a_setting() -> None:
    assert client_hash("2001:db8:7:42::1", ipv6_prefix_length=56) == client_hash(
        "2001:db8:7:4f::1", ipv6_prefix_length=56
    )
    assert client_hash("2001:db8:7:42::1", ipv6_prefix_length=128) != client_hash(
        "2001:db8:7:42::2", ipv6_prefix_length=128
    )


def test_a_direct_ipv6_peer_is_grouped_too() -> None:
    settings = load_settings(secret_key=SECRET)
    hashes = {ip_hash(request_from(f"2001:db8:9:9::{n}"), settings) for n in range(1, 9)}
    assert len(hashes) == 1


@pytest.mark.parametrize("value", ["0", "31", "129", "-64", "sixty-four"])
def test_an_ipv6_prefix_length_out_of_range_is_refused_in_one_line(value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(secret_key=SECRET, ipv6_prefix_length=value)
    assert str(error.value).startswith("IPV6_PREFIX_LENGTH")
    assert "\n" not in str(error.value)


def test_eight_signatures_from_one_ipv6_64_are_one_client_over_its_limit(
    settings: Settings, engine: Engine
) -> None:
    app = create_app(
        settings.model_copy(update={"sign_min_fill_seconds": 0, "trusted_proxies": ["10.0.0.0/8"]})
    )
    make_petition(engine, slug="free-maria")
    with TestClient(
        app, base_url="http://testserver", client=(PROXY, 50000), follow_redirects=False
    ) as browser:
        for n in range(8):
            browser.headers["x-forwarded-for"] = f"2001:db8:7:42::{n + 1:x}"
            assert sign(browser, "free-maria", email=f"s{n}@example.org").status_code == 303
    app.state.engine.dispose()
    with Session(engine) as session:
        rows = session.exec(select(Signature).order_by(col(Signature.id))).all()
    assert len({row.ip_hash for row in rows}) == 1
    assert [row.suspect for row in rows] == [False] * 5 + [True] * 3
