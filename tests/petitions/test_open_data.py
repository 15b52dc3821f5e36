"""Open data: every public petition as JSON and CSV, and each petition's counts by country and
by day, cacheable like the API, never a signer's name, address or city."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.petitions.models import Petition
from tests.factories import add_signature, make_petition

PUBLISHED = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
WON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ENDS = datetime(2027, 1, 31, 23, 0, tzinfo=UTC)

PATHS = [
    "/petitions.json",
    "/petitions.csv",
    "/petitions/counted/counts.json",
    "/petitions/counted/counts-by-country.csv",
    "/petitions/counted/counts-by-day.csv",
]


@pytest.fixture
def counted(engine: Engine, settings: Settings) -> Petition:
    """An open petition with three counted signatures (two from Belarus), one waiting for its
    confirmation (from Germany), a closed one that was won, and a draft."""
    petition = make_petition(
        engine,
        slug="counted",
        title='=HYPERLINK("http://evil")',
        goal=50,
        signature_count=0,
        published_at=PUBLISHED,
        ends_at=ENDS,
    )
    make_petition(
        engine,
        slug="won-one",
        title="Free Maria",
        status="closed",
        goal=10,
        published_at=datetime(2026, 10, 1, tzinfo=UTC),
        closed_at=WON,
        won_at=WON,
    )
    make_petition(engine, slug="not-yet", status="draft")
    add_signature(engine, settings, petition, email="ana@example.org", name="Ana Secretova")
    add_signature(engine, settings, petition, email="ales@example.org", city="Hrodna")
    add_signature(engine, settings, petition, email="jan@example.org", country="PL")
    add_signature(engine, settings, petition, email="max@example.org", country="DE", confirm=False)
    return petition


def test_every_public_petition_as_json(client: TestClient, counted: Petition) -> None:
    body = client.get("/petitions.json").json()
    assert [item["slug"] for item in body] == ["counted", "won-one"]  # newest first, no draft
    first, won = body
    updated = first.pop("updated_at")
    assert updated.endswith("Z")
    assert first == {
        "slug": "counted",
        "title": '=HYPERLINK("http://evil")',
        "summary": "Release him now.",
        "addressee": "The Prosecutor General",
        "status": "open",
        "goal": 50,
        "displayed_goal": 50,
        "signature_count": 3,
        "url": "http://testserver/petitions/counted",
        "published_at": "2026-11-02T09:30:00Z",
        "closed_at": None,
        "ends_at": "2027-01-31T23:00:00Z",
        "won": False,
        "won_at": None,
    }
    assert won["status"] == "closed" and won["won"] is True
    assert won["won_at"] == "2026-12-01T12:00:00Z"


def test_every_public_petition_as_csv_with_formulas_made_plain(
    client: TestClient, counted: Petition
) -> None:
    response = client.get("/petitions.csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="petitions.csv"'
    assert response.text.splitlines() == [
        "slug,title,status,won,signature_count,goal,published_at,closed_at,ends_at,won_at,url",
        'counted,"\'=HYPERLINK(""http://evil"")",open,no,3,50,2026-11-02 09:30:00,,'
        "2027-01-31 23:00:00,,http://testserver/petitions/counted",
        "won-one,Free Maria,closed,yes,0,10,2026-10-01 00:00:00,2026-12-01 12:00:00,,"
        "2026-12-01 12:00:00,http://testserver/petitions/won-one",
    ]


def test_a_petitions_counts_by_country_and_day_as_json_and_csv(
    client: TestClient, counted: Petition
) -> None:
    today = utcnow().date().isoformat()
    assert client.get("/petitions/counted/counts.json").json() == {
        "slug": "counted",
        "url": "http://testserver/petitions/counted",
        "signature_count": 3,
        "online_count": 3,
        "paper_count": 0,
        "signatures_by_country": {"BY": 2, "PL": 1},  # not the unconfirmed one from Germany
        "signatures_by_day": {today: 3},
    }
    by_country = client.get("/petitions/counted/counts-by-country.csv")
    assert by_country.text == "country,signatures\r\nBY,2\r\nPL,1\r\n"
    assert 'filename="counted-by-country.csv"' in by_country.headers["content-disposition"]
    by_day = client.get("/petitions/counted/counts-by-day.csv")
    assert by_day.text == f"date,signatures\r\n{today},3\r\n"


def test_open_data_names_no_signer(client: TestClient, counted: Petition) -> None:
    for path in PATHS:
        text = client.get(path).text
        for personal in ("Secretova", "Ana Bialiatskaya", "Hrodna", "Minsk", "@example.org"):
            assert personal not in text, (path, personal)


@pytest.mark.parametrize("path", PATHS)
def test_open_data_is_cached_like_the_api_until_a_signature_counts(
    client: TestClient, engine: Engine, settings: Settings, counted: Petition, path: str
) -> None:
    first = client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=10, stale-while-revalidate=30"
    assert "set-cookie" not in first.headers
    etag = first.headers["etag"]
    unchanged = client.get(path, headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    add_signature(engine, settings, counted, email="new@example.org", country="LT")
    changed = client.get(path, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_winning_a_petition_changes_the_list_a_cache_holds(
    client: TestClient, engine: Engine, counted: Petition
) -> None:
    etag = client.get("/petitions.json").headers["etag"]
    with transaction(engine) as session:
        petition = session.get(Petition, counted.id)
        assert petition is not None
        petition.won_at = utcnow()
    response = client.get("/petitions.json", headers={"if-none-match": etag})
    assert response.status_code == 200 and response.json()[0]["won"] is True


def test_counts_of_a_petition_the_public_cannot_see_are_not_found(
    client: TestClient, counted: Petition
) -> None:
    for slug in ("not-yet", "nothing-here"):
        response = client.get(f"/petitions/{slug}/counts.json")
        assert response.status_code == 404
        assert response.json() == {"detail": "No such petition"}
        assert client.get(f"/petitions/{slug}/counts-by-day.csv").status_code == 404
        assert client.get(f"/petitions/{slug}/counts-by-country.csv").status_code == 404
    assert client.get("/petitions/counted/counts-by-city.csv").status_code == 400


def test_open_data_is_described_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    for path in (
        "/petitions.json",
        "/petitions.csv",
        "/petitions/{slug}/counts.json",
        "/petitions/{slug}/counts-by-{by}.csv",
    ):
        assert path in schema["paths"], path
    assert "won" in schema["components"]["schemas"]["OpenPetition"]["properties"]
    [by] = [
        p
        for p in schema["paths"]["/petitions/{slug}/counts-by-{by}.csv"]["get"]["parameters"]
        if p["name"] == "by"
    ]
    assert by["schema"]["enum"] == ["country", "day"]
    counts = schema["components"]["schemas"]["PetitionCounts"]["properties"]
    assert {"signatures_by_country", "signatures_by_day"} <= set(counts)
