"""The public JSON API: counts for partners and caches, never a signer's identity."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.settings import Settings
from tests.factories import add_signature, make_petition


def test_the_api_lists_open_petitions_with_counts(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="api-one", goal=10)
    make_petition(engine, slug="hidden-draft", status="draft")
    add_signature(
        engine, settings, petition, email="a@example.org", country="PL", name="Secret Person"
    )
    response = client.get("/api/petitions")
    assert response.status_code == 200
    [item] = response.json()
    assert item["slug"] == "api-one" and item["signature_count"] == 1 and item["goal"] == 10
    assert item["url"] == "http://testserver/petitions/api-one"
    assert "Secret Person" not in response.text and "a@example.org" not in response.text


def test_one_petition_has_its_counts_by_country(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="api-two")
    add_signature(
        engine, settings, petition, email="a@example.org", country="PL", name="Secret Person"
    )
    add_signature(engine, settings, petition, email="b@example.org", country="BY")
    add_signature(engine, settings, petition, email="c@example.org", country="BY")
    body = client.get("/api/petitions/api-two").json()
    assert body["signature_count"] == 3
    assert body["signatures_by_country"] == {"BY": 2, "PL": 1}
    assert "Secret" not in str(body) and "@" not in str(body["signatures_by_country"])


def test_a_conditional_request_is_answered_with_304_until_the_count_changes(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="api-three")
    first = client.get("/api/petitions/api-three")
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert "set-cookie" not in first.headers
    etag = first.headers["etag"]
    assert (
        client.get("/api/petitions/api-three", headers={"if-none-match": etag}).status_code == 304
    )
    add_signature(engine, settings, petition, email="a@example.org")
    again = client.get("/api/petitions/api-three", headers={"if-none-match": etag})
    assert again.status_code == 200 and again.json()["signature_count"] == 1


def test_an_unknown_petition_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/petitions/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such petition"}


def test_the_api_is_described_in_the_openapi_schema(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    assert "/api/petitions/{slug}" in schema["paths"]
    assert (
        "signatures_by_country" in schema["components"]["schemas"]["PetitionDetail"]["properties"]
    )
