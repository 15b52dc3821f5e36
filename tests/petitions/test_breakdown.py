"""A petition's public breakdown: counted signatures by country (a table and a map drawn on the
server) and by day (a chart and a table); counts only, never a name."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.db import utcnow
from campaign.core.settings import Settings
from campaign.core.worldmap import NO_COUNT, SHADES
from tests.factories import add_signature, make_petition


def country_rows(html: str) -> list[tuple[str, str]]:
    table = html.split('id="by-country-heading"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>([^<]+)</td><td>([^<]+)</td></tr>", table)


def map_svg(html: str) -> str:
    match = re.search(r'<svg class="world-map".*?</svg>', html, re.S)
    assert match, "no map on the page"
    return match.group(0)


def test_the_petition_page_links_to_its_breakdown(client: TestClient, engine: Engine) -> None:
    petition = make_petition(engine, slug="linked")
    page = client.get(f"/petitions/{petition.slug}").text
    assert '<a href="/petitions/linked/breakdown?lang=en">' in page


def test_counts_by_country_as_a_table_and_a_shaded_map(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="where")
    add_signature(engine, settings, petition, email="a@example.org", country="BY", name="Ana Z")
    add_signature(engine, settings, petition, email="b@example.org", country="BY", city="Hrodna")
    add_signature(engine, settings, petition, email="c@example.org", country="PL")
    add_signature(engine, settings, petition, email="d@example.org", country="DE", confirm=False)

    response = client.get("/petitions/where/breakdown")
    assert response.status_code == 200
    html = response.text
    assert country_rows(html) == [("Belarus", "2"), ("Poland", "1")]  # not the unconfirmed one
    assert "3 signatures counted." in html

    svg = map_svg(html)
    fills = re.findall(r'<path fill="(#[0-9a-f]{6})" d="[^"]+" data-country="(\w\w)">', svg)
    assert {code: fill for fill, code in fills} == {"BY": SHADES[0], "PL": SHADES[0]}
    assert 'data-country="BY"><title>Belarus: 2</title>' in svg
    assert 'data-country="DE"' not in svg  # drawn with every country without signatures
    assert f'<path fill="{NO_COUNT}" d="M' in svg
    # Nothing in it comes from another site: the one address is SVG's namespace.
    assert re.findall(r"https?://[^\"' ]+", svg) == ["http://www.w3.org/2000/svg"]
    assert "href" not in svg and "url(" not in svg
    assert 'role="img" aria-label="Map of the countries' in svg
    assert "1 to 9 signatures" in html and "none" in html  # the legend, in words
    for personal in ("Ana Z", "Hrodna", "Minsk", "@example.org"):
        assert personal not in html


def test_counts_by_day_as_a_chart_and_a_table(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="when")
    add_signature(engine, settings, petition, email="a@example.org")
    add_signature(engine, settings, petition, email="b@example.org")
    html = client.get("/petitions/when/breakdown").text
    today = utcnow().date()
    day_table = html.split('id="by-day-heading"', 1)[1].split("</table>", 1)[0]
    assert f'<time datetime="{today.isoformat()}">' in day_table
    assert re.search(
        rf'<time datetime="{today.isoformat()}">[^<]+</time></td><td>2</td>', day_table
    )
    assert f"<title>{today.isoformat()}: 2</title>" in day_table  # the chart's bar


def test_a_petition_without_signatures_says_so_and_draws_no_map(
    client: TestClient, engine: Engine
) -> None:
    make_petition(engine, slug="quiet")
    html = client.get("/petitions/quiet/breakdown").text
    assert "No signatures counted yet." in html and "world-map" not in html


def test_only_public_petitions_have_a_breakdown(client: TestClient, engine: Engine) -> None:
    make_petition(engine, slug="a-draft", status="draft")
    make_petition(engine, slug="closed-one", status="closed")
    assert client.get("/petitions/a-draft/breakdown").status_code == 404
    assert client.get("/petitions/closed-one/breakdown").status_code == 200


def test_the_breakdown_is_revalidated_until_a_signature_counts(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine, slug="cached")
    first = client.get("/petitions/cached/breakdown")
    assert first.headers["cache-control"] == "private, no-cache"
    assert "set-cookie" not in first.headers
    etag = first.headers["etag"]
    same = client.get("/petitions/cached/breakdown", headers={"if-none-match": etag})
    assert same.status_code == 304
    add_signature(engine, settings, petition, email="a@example.org")
    again = client.get("/petitions/cached/breakdown", headers={"if-none-match": etag})
    assert again.status_code == 200 and country_rows(again.text) == [("Belarus", "1")]
