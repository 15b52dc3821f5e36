"""DATABASE_READ_URL: the public pages anyone can load are read from a PostgreSQL replica, while
every write (signing, confirming, rate limits) goes to the primary."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import create_engine, select

from campaign.core.db import get_read_session, make_engine, transaction
from campaign.letters.models import CampaignTarget
from campaign.petitions.models import Petition, Signature
from campaign.site.app import create_app
from tests.conftest import Browser, app_routes, make_settings
from tests.factories import log_letters, make_letter_campaign, make_petition, make_prisoner
from tests.petitions.test_routes import sign
from tests.smtp_server import SmtpServer

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
def replica_of(db_url: str) -> Iterator[Any]:
    """replica_of() copies the primary as it is now into a new database: a replica that then
    stops replaying, so anything the primary changes later shows where a page was read from."""
    made: list[str] = []
    admin = create_engine(make_url(db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def copy() -> str:
        name = f"campaign_replica_{uuid.uuid4().hex[:8]}"
        primary = make_url(db_url).database
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{primary}"'))
        made.append(name)
        return make_url(db_url).set(database=name).render_as_string(hide_password=False)

    yield copy
    with admin.connect() as connection:
        for name in made:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def replica_client(db_url: str, read_url: str, tmp_path: Path, smtp: SmtpServer) -> TestClient:
    settings = make_settings(
        db_url, tmp_path, smtp.port, database_read_url=read_url, sign_min_fill_seconds=0
    )
    return Browser(create_app(settings), base_url="http://testserver", follow_redirects=False)


def test_a_lagging_replica_serves_the_pages_and_a_signature_lands_on_the_primary(
    db_url: str, replica_of: Any, tmp_path: Path, smtp: SmtpServer
) -> None:
    primary = make_engine(db_url)
    petition = make_petition(primary, title="Free Maria Kalesnikava")
    primary.dispose()  # CREATE DATABASE … TEMPLATE needs the primary without connections
    read_url = replica_of()
    primary = make_engine(db_url)
    with transaction(primary) as session:  # what the replica has not replayed yet
        session.get(Petition, petition.id).title = "Free Maria Kalesnikava now"  # type: ignore[union-attr]

    with replica_client(db_url, read_url, tmp_path, smtp) as client:
        page = client.get(f"/petitions/{petition.slug}")
        assert "Free Maria Kalesnikava" in page.text
        assert "Free Maria Kalesnikava now" not in page.text
        assert client.get(f"/api/petitions/{petition.slug}").json()["title"] == (
            "Free Maria Kalesnikava"
        )
        signed = sign(client, petition.slug)  # the form read from the replica, posted
        assert signed.status_code == 303, signed.text
        client.app.state.read_engine.dispose()  # type: ignore[attr-defined]
        client.app.state.engine.dispose()  # type: ignore[attr-defined]

    replica = make_engine(read_url)
    for engine, expected in ((primary, 1), (replica, 0)):
        with transaction(engine) as session:
            assert len(session.exec(select(Signature)).all()) == expected
        engine.dispose()


def test_every_page_on_the_read_session_answers_from_a_read_only_connection(
    db_url: str, tmp_path: Path, smtp: SmtpServer
) -> None:
    """The replica's engine refuses writes, as a hot standby does: a public page that wrote
    anything (a counter, a session) would fail here instead of in production."""
    engine = make_engine(db_url)
    petition = make_petition(engine)
    campaign = make_letter_campaign(engine)
    prisoner = make_prisoner(engine)
    log_letters(engine, prisoner)
    with transaction(engine) as session:
        official_id = session.exec(
            select(CampaignTarget.official_id).where(CampaignTarget.campaign_id == campaign.id)
        ).first()
    engine.dispose()
    visits = {
        "/": ["/"],
        "/petitions": ["/petitions"],
        "/petitions/{slug}": [f"/petitions/{petition.slug}"],
        "/petitions/{slug}/embed": [f"/petitions/{petition.slug}/embed"],
        "/petitions/{slug}/qr.svg": [f"/petitions/{petition.slug}/qr.svg"],
        "/api/petitions": ["/api/petitions"],
        "/api/petitions/{slug}": [f"/api/petitions/{petition.slug}"],
        "/letters": ["/letters"],
        "/letters/{slug}": [f"/letters/{campaign.slug}"],
        "/officials": ["/officials"],
        "/officials/{official_id}": [f"/officials/{official_id}"],
        "/prisoners": ["/prisoners", "/prisoners?birthday=1&accepting=1&region=Гомель"],
        "/api/prisoners": ["/api/prisoners"],
        "/api/prisoners/{slug}": [f"/api/prisoners/{prisoner.slug}"],
        "/sitemap.xml": ["/sitemap.xml"],
        # No file stored here: an unknown name is a 404 before any look-up (tested elsewhere).
        "/media/{name}": ["/media/" + "0" * 32 + ".jpg"],
        "/petitions.json": ["/petitions.json"],
        "/petitions.csv": ["/petitions.csv"],
        "/petitions/{slug}/breakdown": [f"/petitions/{petition.slug}/breakdown"],
        "/petitions/{slug}/counts.json": [f"/petitions/{petition.slug}/counts.json"],
        "/petitions/{slug}/counts-by-{by}.csv": [
            f"/petitions/{petition.slug}/counts-by-country.csv",
            f"/petitions/{petition.slug}/counts-by-day.csv",
        ],
        # No official response here: the look-up still runs on the replica, and finds nothing.
        "/petitions/{slug}/updates/{update_id}/document": [
            f"/petitions/{petition.slug}/updates/1/document"
        ],
    }
    missing = {f"/petitions/{petition.slug}/updates/1/document", "/media/" + "0" * 32 + ".jpg"}

    with replica_client(db_url, db_url, tmp_path, smtp) as client:
        read_routes = {
            path for path, _methods, dependant in app_routes(client.app) if _reads(dependant)
        }
        assert read_routes == set(visits), "a route on the read session is not visited here"
        for paths in visits.values():
            for path in paths:
                assert client.get(path).status_code == (404 if path in missing else 200), path
        # A browser that has the page revalidates it on the replica too.
        page = client.get(f"/petitions/{petition.slug}")
        again = client.get(
            f"/petitions/{petition.slug}", headers={"if-none-match": page.headers["etag"]}
        )
        assert again.status_code == 304
        read_engine = client.app.state.read_engine  # type: ignore[attr-defined]
        with (
            pytest.raises(DBAPIError, match="read-only transaction"),
            transaction(read_engine) as session,
        ):
            session.execute(text("DELETE FROM petition"))
        client.app.state.read_engine.dispose()  # type: ignore[attr-defined]
        client.app.state.engine.dispose()  # type: ignore[attr-defined]


def _reads(dependant: Any) -> bool:
    return dependant.call is get_read_session or any(_reads(sub) for sub in dependant.dependencies)
