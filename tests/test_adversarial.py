"""Hostile requests against the sign form (the one every stranger can reach): oversized bodies,
10,000 fields, invalid UTF-8, malformed multipart. Each gets a clean 4xx page, nothing is stored,
and the form still works afterwards."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from campaign.petitions.models import Signature
from tests.conftest import csrf_from
from tests.factories import make_petition
from tests.petitions.test_routes import sign


def stored(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Signature)).one())


ATTACKS: dict[str, Callable[[TestClient, str, str], Any]] = {
    "a 5 MB field": lambda c, url, token: c.post(
        url, data={"csrf_token": token, "name": "x" * 5_000_000, "email": "big@example.org"}
    ),
    "10,000 fields": lambda c, url, token: c.post(
        url, data={"csrf_token": token, **{f"field{n}": "1" for n in range(10_000)}}
    ),
    "invalid UTF-8": lambda c, url, token: c.post(
        url,
        content=b"csrf_token=" + token.encode() + b"&name=\xff\xfe&email=a%40example.org",
        headers={"content-type": "application/x-www-form-urlencoded"},
    ),
    "malformed multipart": lambda c, url, token: c.post(
        url,
        content=b'--xx\r\nContent-Disposition: form-data; name="name"\r\n\r\nunterminated',
        headers={"content-type": "multipart/form-data; boundary=xx"},
    ),
    "multipart without a boundary": lambda c, url, token: c.post(
        url, content=b"x", headers={"content-type": "multipart/form-data"}
    ),
    "a JSON body": lambda c, url, token: c.post(url, json={"csrf_token": token, "name": "x"}),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_hostile_request_gets_a_clean_4xx_and_stores_nothing(
    client: TestClient, engine: Engine, attack: str
) -> None:
    petition = make_petition(engine)
    path = f"/petitions/{petition.slug}"
    token = csrf_from(client, path)  # none: the sign form is a public one
    response = ATTACKS[attack](client, f"{path}/sign", token)
    assert 400 <= response.status_code < 500, response.status_code
    assert "<!doctype html>" in response.text.lower()  # the site's own error page
    assert "Traceback" not in response.text
    assert stored(engine) == 0
    assert sign(client, petition.slug).status_code == 303  # the form still works
    assert stored(engine) == 1
