"""What the petition tests share: signing through the public form as a browser would, or
through the service in a transaction of its own."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.db import transaction
from campaign.core.ratelimit import Limiter
from campaign.core.settings import Settings
from campaign.petitions.forms import SignForm
from campaign.petitions.models import Petition
from campaign.petitions.service import signing

STARTED = re.compile(r'name="started" value="([^"]+)"')


@pytest.fixture
def quick(settings: Settings, app):  # type: ignore[no-untyped-def]
    """No minimum fill time, so tests can submit at once."""
    app.state.settings = settings.model_copy(update={"sign_min_fill_seconds": 0})
    return app


def sign_form(client: TestClient, slug: str, **fields: str):  # type: ignore[no-untyped-def]
    """Post the petition's sign form as a browser would: the page, the stamp its first focus
    loads (site.css), then the form at once; `fields` change what is typed."""
    assert client.get(f"/petitions/{slug}", follow_redirects=True).status_code == 200
    client.get("/stamp")
    data = {
        "name": "Ana Bialiatskaya",
        "email": "ana@example.org",
        "country": "LT",
        "city": "Vilnius",
        "consent": "1",
        **fields,
    }
    return client.post(f"/petitions/{slug}/sign", data=data)


def sign_with_service(
    engine: Engine,
    settings: Settings,
    petition: Petition,
    form: SignForm,
    *,
    ip: str = "ip",
    locale: str = "en",
) -> signing.SignOutcome:
    """One signature through the service, committed, counted by the request's own limiter."""
    with transaction(engine) as session:
        return signing.sign_petition(
            session,
            settings=settings,
            limiter=Limiter(session),
            petition=petition,
            form=form,
            ip_hash=ip,
            locale=locale,
        )
