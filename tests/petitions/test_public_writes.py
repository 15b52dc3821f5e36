"""The public writes (signing, confirming, discarding) are plain routes ahead of every other,
so a surge's POSTs skip FastAPI's route search and dependency solving: they must still run
every check the app's other routes run, and answer any form without a server error."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from starlette.routing import Route

from campaign.core.settings import Settings
from campaign.petitions.models import Signature
from campaign.petitions.routes import PUBLIC_WRITES
from campaign.petitions.service import signing
from tests.conftest import Browser
from tests.factories import make_petition

FIELDS = ["name", "email", "country", "city", "consent", "started", "token", "website", "x"]
HOSTILE = st.sampled_from(
    ["", "a\x00b", "{{ 7 * 7 }}", "' OR '1'='1' --", "x" * 5000, "\u202e", "😀", "@", "1" * 40]
)
FORMS = st.dictionaries(st.sampled_from(FIELDS), st.one_of(HOSTILE, st.text(max_size=40)))


def paths(slug: str) -> list[str]:
    return [template.replace("{slug}", slug) for template in PUBLIC_WRITES]


def test_the_public_writes_are_matched_before_every_other_route(app) -> None:  # type: ignore[no-untyped-def]
    first = app.router.routes[: len(PUBLIC_WRITES)]
    assert [route.path for route in first] == list(PUBLIC_WRITES)
    assert all(isinstance(route, Route) and route.methods == {"POST"} for route in first)


def test_every_public_write_runs_every_check_the_app_runs(
    client: Browser, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from campaign.site import app as site

    ran: list[tuple[str, str]] = []

    def recorded(check: Any) -> Any:
        async def record(request: Request) -> None:
            ran.append((check.__name__, request.url.path))
            await check(request)

        return record

    monkeypatch.setattr(site, "APP_CHECKS", tuple(recorded(c) for c in site.APP_CHECKS))
    petition = make_petition(engine)
    for path in paths(petition.slug):
        client.post(path, data={"a": "b"})
        assert [name for name, at in ran if at == path] == [
            "csrf_protect",
            "no_nul_characters",
            "ids_in_range",
        ], path


def test_a_complete_signature_with_a_nul_character_is_refused_and_nothing_stored(
    quick: Any, client: Browser, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    form = {
        "name": "Ana Bialiatskaya",
        "email": "ana@example.org",
        "country": "LT",
        "city": "Vil\x00nius",
        "consent": "1",
        "started": signing.form_started_token(settings, petition.id),  # type: ignore[arg-type]
    }
    for path in paths(petition.slug)[:2]:  # sign, embed/sign
        refused = client.post(path, data=form)
        assert refused.status_code == 400, path
        assert "could not be understood" in refused.text
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Signature)).one() == 0
    assert client.post(paths(petition.slug)[0], data={**form, "city": "Vilnius"}).status_code == 303


def test_a_cross_site_post_to_a_public_write_is_refused_with_the_apps_headers(
    client: Browser, engine: Engine
) -> None:
    petition = make_petition(engine)
    for path in paths(petition.slug):
        refused = client.post(path, data={"a": "b"}, headers={"origin": "https://evil.example"})
        assert refused.status_code == 403, path
        assert "Content-Security-Policy" in refused.headers  # the app's headers, on its error page


def test_a_get_at_a_public_writes_address_reaches_the_page_there_or_is_refused(
    client: Browser, engine: Engine
) -> None:
    petition = make_petition(engine)
    confirm_page = client.get(f"/petitions/{petition.slug}/confirm?token=forged")
    assert confirm_page.status_code == 400  # the page that explains a broken link
    assert "confirm" in confirm_page.text.lower()
    for path in (f"/petitions/{petition.slug}/sign", f"/petitions/{petition.slug}/embed/sign"):
        assert client.get(path).status_code == 405, path


@pytest.mark.parametrize("slug", ["known", "no-such-petition", "%00", "a" * 300])
def test_any_form_sent_to_a_public_write_is_answered_without_a_server_error(
    client: Browser, engine: Engine, slug: str
) -> None:
    petition = make_petition(engine)
    slug = petition.slug if slug == "known" else slug

    @settings(
        max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(path=st.sampled_from(paths(slug)), form=FORMS)
    def post(path: str, form: dict[str, str]) -> None:
        response = client.post(path, data=form)
        assert response.status_code < 500, (path, form, response.text[:300])

    post()
