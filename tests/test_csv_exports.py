"""Every CSV an organiser downloads opens in a spreadsheet without running what someone typed.

Each exporter is driven through its real route with cells that start like a formula: the
ASCII signs, a tab and a carriage return, and the full-width signs a spreadsheet reads as
their ASCII forms. The file is parsed back, and no cell may start like a formula.
"""

import csv
import io
import unicodedata
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.csvcells import cell, csv_lines, safe_text
from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.letters.models import LetterCount, LetterEvent, Official, OfficialEmail
from campaign.petitions.models import PetitionTally
from tests.factories import (
    add_signature,
    log_letters,
    make_letter_campaign,
    make_petition,
    make_prisoner,
)

FORMULA_SIGNS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '=HYPERLINK("http://evil")',
    "+1+1",
    "-1+1",
    "@SUM(1)",
    "\t=1",
    "\r=1",
    "\uff1dHYPERLINK(1)",  # ＝
    "\uff0b1",  # ＋
    "\uff0d1",  # －
    "\uff20SUM(1)",  # ＠
    "\ufe66cmd",  # ﹦, the small form
]


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def assert_safe(rows: list[list[str]], *, expected: list[str]) -> None:
    """No cell starts like a formula, and each hostile value came out with its apostrophe."""
    cells = [value for row in rows for value in row]
    unsafe = [v for v in cells if unicodedata.normalize("NFKC", v[:1]).startswith(FORMULA_SIGNS)]
    assert unsafe == []
    for value in expected:
        assert "'" + value in cells, f"{value!r} is not in the export as '{value!r}"


def download(client: TestClient, path: str) -> list[list[str]]:
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("text/csv")
    return rows_of(response.content)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_starting_like_a_formula_gets_an_apostrophe(value: str) -> None:
    assert safe_text(value) == "'" + value
    assert cell(value) == "'" + value
    assert rows_of(b"".join(csv_lines([[value]]))) == [["'" + value]]


@pytest.mark.parametrize("value", ["Ana", "Алесь", "", "1-2", "a=b", "ＡＢ", "2026-12-06", "'=1"])
def test_ordinary_text_is_left_as_typed(value: str) -> None:
    assert safe_text(value) == value


def test_the_signatures_export_neutralises_every_formula_start(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    for n, value in enumerate(HOSTILE):
        add_signature(engine, settings, petition, email=f"s{n}@example.org", name=value, city=value)
    rows = download(organiser_client, f"/admin/petitions/{petition.id}/export/signatures.csv")
    assert len(rows) == 1 + len(HOSTILE)
    assert_safe(rows, expected=HOSTILE)


def test_the_count_exports_neutralise_every_formula_start(
    organiser_client: TestClient, engine: Engine, settings: Settings
) -> None:
    petition = make_petition(engine)
    add_signature(engine, settings, petition, email="day@example.org")
    # Country codes are checked when signing; these tallies stand for a value that slipped by.
    countries = ["=1", "+1", "-1", "@1", "\t1", "\r1", "\uff1d1", "\uff0b1", "\uff0d1", "\uff201"]
    with transaction(engine) as session:
        session.add_all(
            PetitionTally(petition_id=petition.id, country=country, count=1)  # type: ignore[arg-type]
            for country in countries
        )
    base = f"/admin/petitions/{petition.id}/export"
    by_country = download(organiser_client, f"{base}/by-country.csv")
    assert len(by_country) == 2 + len(countries)
    assert_safe(by_country, expected=countries)
    by_day = download(organiser_client, f"{base}/by-day.csv")
    assert by_day[0] == ["date", "signatures"] and by_day[1][1] == "1"
    assert_safe(by_day, expected=[])


def test_the_officials_export_neutralises_every_formula_start(
    organiser_client: TestClient, engine: Engine
) -> None:
    with transaction(engine) as session:
        for n, value in enumerate(HOSTILE):
            official = Official(
                name=value,
                title=value,
                institution=value,
                postal_address=value,
                notes=value,
            )
            session.add(official)
            session.flush()
            session.add(OfficialEmail(official_id=official.id, address=f"={n}@gov.example"))  # type: ignore[arg-type]
    rows = download(organiser_client, "/admin/officials/export.csv")
    assert len(rows) == 1 + len(HOSTILE)
    assert_safe(rows, expected=[*HOSTILE, "=0@gov.example"])


def test_the_letters_counts_export_neutralises_every_formula_start(
    organiser_client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    with transaction(engine) as session:
        for value in HOSTILE:
            official = Official(name=value, title=value)
            session.add(official)
            session.flush()
            session.add(
                LetterCount(
                    campaign_id=campaign.id,  # type: ignore[arg-type]
                    official_id=official.id,  # type: ignore[arg-type]
                    day=date(2026, 12, 1),
                    event=LetterEvent.confirmed.value,
                    count=1,
                )
            )
    rows = download(organiser_client, f"/admin/letters/{campaign.id}/counts.csv")
    assert len(rows) == 1 + len(HOSTILE)
    assert_safe(rows, expected=HOSTILE)


def test_the_prisoner_exports_neutralise_every_formula_start(
    organiser_client: TestClient, engine: Engine
) -> None:
    for n, value in enumerate(HOSTILE):
        prisoner = make_prisoner(
            engine,
            external_id=f"{value[:50]}{n}",
            name_latin=value,
            name_cyrillic=value,
            region=value,
            articles=value,
            sentence=value,
            letter_address=value,
            interests=value,
            writer_notes=value,
            source=value,
        )
        log_letters(engine, prisoner, date(2026, 11, 30))
    register = download(organiser_client, "/admin/prisoners/export.csv")
    assert len(register) == 1 + len(HOSTILE)
    assert_safe(register, expected=HOSTILE)
    letters = download(organiser_client, "/admin/prisoners/letters.csv")
    assert len(letters) == 1 + len(HOSTILE)
    assert_safe(letters, expected=HOSTILE)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (datetime(2026, 12, 6, 9, 5, 7), "2026-12-06 09:05:07"),
        (42, "42"),
        (-1, "'-1"),
    ],
)
def test_values_other_than_text_become_the_cells_an_organiser_expects(
    value: object, shown: str
) -> None:
    assert cell(value) == shown


def test_a_long_export_streams_in_chunks_that_join_to_the_same_csv() -> None:
    rows = [[f"row {n}", "=1", "x" * 100] for n in range(2000)]
    chunks = list(csv_lines(rows))
    assert len(chunks) > 2 and all(len(chunk) < 66_000 for chunk in chunks)
    assert rows_of(b"".join(chunks)) == [[f"row {n}", "'=1", "x" * 100] for n in range(2000)]
