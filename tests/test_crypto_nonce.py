"""One value encrypted twice looks different each time: a stolen dump cannot tell which
supporters share a name, a city or an address, and AES-GCM never reuses a nonce under a key."""

from __future__ import annotations

import binascii

from sqlalchemy import Engine, text

from campaign.core.crypto import NONCE_BYTES, Keyring, new_key
from campaign.core.settings import Settings
from tests.factories import add_signature, make_petition


def nonce_of(stored: str) -> bytes:
    return binascii.a2b_base64(stored.split("$")[2])[:NONCE_BYTES]


def test_encrypting_one_value_twice_gives_two_different_ciphertexts() -> None:
    ring = Keyring([new_key()])
    sealed = [ring.encrypt(b"Minsk", b"signature.city") for _ in range(50)]
    assert len(set(sealed)) == 50
    assert len({nonce_of(value) for value in sealed}) == 50
    assert {ring.decrypt(value, b"signature.city") for value in sealed} == {b"Minsk"}


def test_two_supporters_from_one_city_are_not_linked_in_the_database(
    engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    for n in range(3):
        add_signature(
            engine, settings, petition, email=f"p{n}@example.org", name="Ana", city="Minsk"
        )
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT name, city FROM signature")).all()
    names, cities = [row[0] for row in stored], [row[1] for row in stored]
    assert len(set(names)) == 3 and len(set(cities)) == 3
    assert len({nonce_of(value) for value in names + cities}) == 6
