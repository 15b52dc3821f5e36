"""/petitions: searched, filtered by state, sorted and paged, with every choice in the address so
a search can be shared; won and closed petitions in their own sections."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.content.service import save_version
from campaign.core.db import transaction, utcnow
from campaign.core.settings import Settings
from campaign.petitions.models import Petition
from tests.factories import add_signature, make_petition

CARD_LINK = re.compile(r'<h[23][^>]*><a href="/petitions/([^"?]+)\?lang=\w+">')


def results(html: str) -> list[str]:
    """The slugs of the search's result cards, in order (not the sections below them)."""
    section = html.split('aria-labelledby="results-heading"', 1)[1].split("</section>", 1)[0]
    return CARD_LINK.findall(section)


def section(html: str, name: str) -> list[str]:
    """The slugs shown in the won or closed section under the results."""
    if f'id="section-{name}"' not in html:
        return []
    part = html.split(f'id="section-{name}"', 1)[1].split("</section>", 1)[0]
    return CARD_LINK.findall(part)


def result_count(html: str) -> str:
    part = html.split('id="result-count">', 1)[1].split("</p>", 1)[0]
    return " ".join(unescape(part).split())


def test_search_finds_words_of_the_title_or_summary_in_any_case_and_script(
    client: TestClient, engine: Engine
) -> None:
    make_petition(engine, slug="ales", title="Free Ales Bialiatski", summary="Nobel laureate.")
    make_petition(
        engine,
        slug="maria",
        title="Свабоду Марыі Калеснікавай",
        summary="Flautist, held since 2020.",
    )
    make_petition(engine, slug="zemaite", title="Laisvę Žemaitei", summary="Rašytoja.")

    assert results(client.get("/petitions?q=bialiatski").text) == ["ales"]
    assert results(client.get("/petitions?q=МАРЫІ").text) == ["maria"]  # Cyrillic, upper case
    assert results(client.get("/petitions?q=flautist 2020").text) == ["maria"]  # the summary
    assert results(client.get("/petitions?q=zemaite").text) == ["zemaite"]  # accents folded
    nothing = client.get("/petitions?q=ales+maria").text  # every word must match
    assert results(nothing) == []
    assert "No petition matches your search." in nothing
    assert result_count(nothing) == "0 petitions match “ales maria”."


def test_search_reads_the_petition_in_the_visitors_language(
    client: TestClient, engine: Engine
) -> None:
    petition = make_petition(engine, slug="anna", title="Free Anna Kavalchuk")
    with transaction(engine) as session:
        save_version(
            session,
            "petition",
            session.get(Petition, petition.id),
            "be",
            {"title": "Волю Ганне Кавальчук", "summary": "", "body": ""},
        )
    assert results(client.get("/petitions?q=ганне&lang=be").text) == ["anna"]
    assert results(client.get("/petitions?q=anna&lang=be").text) == ["anna"]  # the original too
    assert results(client.get("/petitions?q=ганне&lang=en").text) == []


def test_open_won_and_closed_petitions_are_each_their_own_filter(
    client: TestClient, engine: Engine
) -> None:
    now = utcnow()
    make_petition(engine, slug="open-one")
    make_petition(engine, slug="won-and-closed", status="closed", closed_at=now, won_at=now)
    make_petition(engine, slug="won-still-open", won_at=now)
    make_petition(engine, slug="closed-by-hand", status="closed", closed_at=now)
    make_petition(engine, slug="past-its-end", ends_at=now - timedelta(days=1))
    make_petition(engine, slug="a-draft", status="draft")
    make_petition(engine, slug="archived", status="archived")

    open_page = client.get("/petitions?status=open").text
    assert sorted(results(open_page)) == ["open-one", "won-still-open"]
    assert sorted(results(client.get("/petitions?status=won").text)) == [
        "won-and-closed",
        "won-still-open",
    ]
    closed_page = client.get("/petitions?status=closed").text
    assert sorted(results(closed_page)) == ["closed-by-hand", "past-its-end"]
    assert '<h2 id="results-heading">Closed petitions</h2>' in closed_page
    # The filter links say how many each state has, and which one is shown.
    assert (
        '<a href="/petitions?status=closed&amp;lang=en" aria-current="page">Closed (2)</a>'
        in closed_page
    )
    assert '<a href="/petitions?lang=en">Open for signing (2)</a>' in closed_page
    assert '<a href="/petitions?status=won&amp;lang=en">Won (2)</a>' in closed_page
    # A won petition says so on its card; a closed one too.
    assert re.search(
        r'won-still-open\?lang=en">[^<]+</a></h3>\s*<p class="badge won">Won</p>', open_page
    )
    assert re.search(
        r'closed-by-hand\?lang=en">[^<]+</a></h3>\s*<p class="badge">Closed</p>', closed_page
    )
    for page in (open_page, closed_page, client.get("/petitions?status=won").text):
        assert "a-draft" not in page and "/petitions/archived" not in page


def test_the_plain_list_shows_won_and_closed_petitions_in_their_own_sections(
    client: TestClient, engine: Engine
) -> None:
    now = utcnow()
    make_petition(engine, slug="open-one")
    for n in range(4):
        make_petition(
            engine,
            slug=f"won-{n}",
            status="closed",
            won_at=now,
            published_at=now - timedelta(days=10 - n),
        )
    make_petition(engine, slug="closed-one", status="closed", closed_at=now)

    page = client.get("/petitions").text
    assert results(page) == ["open-one"]
    assert section(page, "won") == ["won-3", "won-2", "won-1"]  # the newest three
    assert '<a href="/petitions?status=won&amp;lang=en">See all 4 won petitions</a>' in page
    assert section(page, "closed") == ["closed-one"]
    assert '<a href="/petitions.json" type="application/json">' in page  # the open data
    assert '<a href="/petitions?status=closed&amp;lang=en">See the closed petition</a>' in page
    # A search, another filter or another page shows only what it asks for.
    for narrowed in ("/petitions?q=prisoner", "/petitions?sort=signed", "/petitions?status=won"):
        html = client.get(narrowed).text
        assert section(html, "won") == [] and section(html, "closed") == []


def test_petitions_are_sorted_by_newest_most_signed_or_ending_soon(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    now = utcnow()
    for slug, age, ends_in, signatures in (
        ("old-big", 30, None, 500),
        ("mid-ends-late", 10, 60, 50),
        ("new-ends-soon", 1, 2, 5),
    ):
        make_petition(
            engine,
            slug=slug,
            published_at=now - timedelta(days=age),
            ends_at=None if ends_in is None else now + timedelta(days=ends_in),
            signature_count=signatures,
        )

    assert results(client.get("/petitions").text) == ["new-ends-soon", "mid-ends-late", "old-big"]
    assert results(client.get("/petitions?sort=signed").text) == [
        "old-big",
        "mid-ends-late",
        "new-ends-soon",
    ]
    # Those with no end date come last.
    assert results(client.get("/petitions?sort=ending").text) == [
        "new-ends-soon",
        "mid-ends-late",
        "old-big",
    ]
    chosen = client.get("/petitions?sort=ending").text
    assert '<option value="ending" selected>Ending soon</option>' in chosen


def test_pages_of_twenty_with_links_that_keep_the_search(
    client: TestClient, engine: Engine
) -> None:
    now = utcnow()
    for n in range(45):
        make_petition(
            engine,
            slug=f"page-test-{n:02d}",
            title=f"Free the prisoner {n:02d}",
            published_at=now - timedelta(hours=n),
        )
    first = client.get("/petitions?q=prisoner").text
    assert results(first) == [f"page-test-{n:02d}" for n in range(20)]
    assert result_count(first) == "45 petitions match “prisoner”. Page 1 of 3."
    assert 'rel="prev"' not in first
    assert (
        '<a href="/petitions?q=prisoner&amp;page=2&amp;lang=en" rel="next">Next page</a>' in first
    )
    assert (
        '<a href="/petitions?q=prisoner&amp;lang=en" aria-current="page" aria-label="Page 1">1</a>'
        in first
    )
    assert '<nav class="pages" aria-label="Pages">' in first

    second = client.get("/petitions?q=prisoner&page=2").text
    assert results(second) == [f"page-test-{n:02d}" for n in range(20, 40)]
    assert '<a href="/petitions?q=prisoner&amp;lang=en" rel="prev">Previous page</a>' in second
    assert (
        '<a href="/petitions?q=prisoner&amp;page=3&amp;lang=en" rel="next">Next page</a>' in second
    )

    # A page past the end shows the last one; sorting and filters stay in every link.
    last = client.get("/petitions?q=prisoner&sort=signed&page=99").text
    assert len(results(last)) == 5 and result_count(last).endswith("Page 3 of 3.")
    assert (
        '<a href="/petitions?q=prisoner&amp;sort=signed&amp;page=2&amp;lang=en" rel="prev">' in last
    )
    assert 'rel="next"' not in last
    assert '<input type="search" id="finder-q" name="q" value="prisoner"' in last


def test_an_address_that_cannot_be_read_lists_open_petitions(
    client: TestClient, engine: Engine
) -> None:
    make_petition(engine, slug="still-listed")
    for query in ("status=everything", "sort=random", "page=-1", "page=" + "9" * 5000, "page=x"):
        response = client.get(f"/petitions?{query}")
        assert response.status_code == 200
        assert results(response.text) == ["still-listed"]


def test_the_list_names_no_signer(client: TestClient, engine: Engine, settings: Settings) -> None:
    petition = make_petition(engine, slug="named")
    add_signature(engine, settings, petition, email="ana@example.org", name="Ana Secretova")
    for path in ("/petitions", "/petitions?q=prisoner", "/petitions?sort=signed"):
        html = client.get(path).text
        assert "Secretova" not in html and "ana@example.org" not in html
        assert "1 signature" in html
