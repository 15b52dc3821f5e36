"""The open list of prisoners (/api/prisoners) and the sitemap: what another site or a search
engine may take, only ever about people whose consent to be named is on record."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.db import transaction
from campaign.petitions.models import PetitionStatus
from campaign.prisoners.models import PrisonerConsent
from tests.factories import make_letter_campaign, make_petition, make_prisoner


def test_the_open_list_gives_the_address_and_rules_a_letter_needs_and_nothing_private(
    client: TestClient, engine: Engine
) -> None:
    anna = make_prisoner(
        engine,
        name_latin="Anna Kavalchuk",
        letters_from="listed",
        writer_notes="Her mother visits on Sundays",
        source="a private message from her lawyer",
    )
    listed = client.get("/api/prisoners")
    assert listed.status_code == 200
    (entry,) = listed.json()
    assert entry["slug"] == anna.slug and entry["letters_from"] == "listed"
    assert entry["letter_address"] == anna.letter_address
    assert entry["facility"] == {"name": "Colony No. 4", "country": "BY"}
    assert entry["url"].endswith(f"/prisoners/{anna.slug}")
    assert "Sundays" not in listed.text and "lawyer" not in listed.text
    one = client.get(f"/api/prisoners/{anna.slug}")
    assert one.json() == entry
    # A partner site polling the list pays nothing while it has not changed.
    again = client.get("/api/prisoners", headers={"if-none-match": listed.headers["etag"]})
    assert again.status_code == 304


def test_a_prisoner_without_consent_is_not_in_the_open_list_nor_the_sitemap(
    client: TestClient, engine: Engine
) -> None:
    hidden = make_prisoner(engine, consent=False, name_latin="Hidden Person")
    shown = make_prisoner(engine, name_latin="Shown Person")
    hidden_campaign = make_letter_campaign(engine, prisoner_id=hidden.id)
    assert [entry["slug"] for entry in client.get("/api/prisoners").json()] == [shown.slug]
    missing = client.get(f"/api/prisoners/{hidden.slug}")
    assert missing.status_code == 404
    assert missing.json() == client.get("/api/prisoners/no-such-person").json()
    sitemap = client.get("/sitemap.xml").text
    assert f"/prisoners/{shown.slug}<" in sitemap
    assert hidden.slug not in sitemap and hidden_campaign.slug not in sitemap
    with transaction(engine) as session:
        session.add(
            PrisonerConsent(
                prisoner_id=hidden.id,  # type: ignore[arg-type]
                state="given",
                given_by="person",
                given_on=date(2026, 12, 1),
                how="letter",
            )
        )
    assert client.get(f"/api/prisoners/{hidden.slug}").status_code == 200
    sitemap = client.get("/sitemap.xml").text
    assert (
        f"/prisoners/{hidden.slug}<" in sitemap and f"/letters/{hidden_campaign.slug}<" in sitemap
    )


def test_the_sitemap_lists_public_petitions_and_campaigns_but_no_draft(
    client: TestClient, engine: Engine
) -> None:
    signing = make_petition(engine)
    draft = make_petition(engine, status=PetitionStatus.draft, published_at=None)
    campaign = make_letter_campaign(engine)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/xml"
    )
    assert f"/petitions/{signing.slug}<" in response.text
    assert f"/letters/{campaign.slug}<" in response.text
    assert draft.slug not in response.text
    robots = client.get("/robots.txt").text
    assert "Disallow: /admin" in robots and "Sitemap: " in robots
