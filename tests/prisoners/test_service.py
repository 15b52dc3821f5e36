"""Whom to write to: least mail first, filters, birthdays, and the address as it must be."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from campaign.core.settings import Settings
from campaign.prisoners.service import prisoners
from campaign.prisoners.service.prisoners import Filters, next_birthday
from tests.factories import log_letters, make_prisoner
from tests.prisoners.test_letter_limits import letters_from, make_volunteer

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("birth", "today", "expected"),
    [
        (date(1990, 12, 31), date(2026, 12, 31), date(2026, 12, 31)),  # today counts
        (date(1990, 1, 2), date(2026, 12, 31), date(2027, 1, 2)),  # across the year's end
        (date(1984, 2, 29), date(2026, 1, 10), date(2026, 2, 28)),  # no 29 Feb in 2026
        (date(1984, 2, 29), date(2028, 2, 1), date(2028, 2, 29)),  # leap year
        (date(1984, 2, 29), date(2027, 3, 1), date(2028, 2, 29)),
    ],
)
def test_the_next_birthday_handles_year_ends_and_29_february(
    birth: date, today: date, expected: date
) -> None:
    assert next_birthday(birth, today) == expected


def test_those_with_the_fewest_letters_lately_come_first(
    engine: Engine, settings: Settings
) -> None:
    busy = make_prisoner(engine, name_latin="Busy Person")
    forgotten = make_prisoner(engine, name_latin="Forgotten Person")
    some = make_prisoner(engine, name_latin="Some Mail")
    for n, day in enumerate((TODAY, TODAY - timedelta(days=3), TODAY - timedelta(days=10))):
        letters_from(engine, make_volunteer(engine, settings, f"v{n}@example.org"), busy, day)
    log_letters(engine, some, TODAY - timedelta(days=5))  # an erased volunteer's: one writer
    log_letters(engine, forgotten, TODAY - timedelta(days=45), TODAY - timedelta(days=60))
    make_prisoner(engine, name_latin="Released Person", status="released")
    with Session(engine) as session:
        listed = prisoners.prisoners_needing_mail(session, filters=Filters(), today=TODAY)
        picked = prisoners.pick_for_me(session, today=TODAY)
    assert [(i.prisoner.name_latin, i.recent_letters) for i in listed] == [
        ("Forgotten Person", 0),
        ("Some Mail", 1),
        ("Busy Person", 3),
    ]
    assert picked is not None and picked.name_latin == "Forgotten Person"


def test_filters_narrow_the_list(engine: Engine) -> None:
    make_prisoner(
        engine,
        name_latin="Birthday Woman",
        gender="female",
        birth_date=date(1980, 11, 2),
        region="Minsk",
    )
    make_prisoner(
        engine,
        name_latin="Leaving Soon",
        release_expected_on=TODAY + timedelta(days=30),
        accepts_letters=False,
        region="Hrodna",
    )
    with Session(engine) as session:

        def names(**chosen: object) -> list[str]:
            found = prisoners.prisoners_needing_mail(
                session,
                filters=Filters(**chosen),
                today=TODAY,  # type: ignore[arg-type]
            )
            return [i.prisoner.name_latin for i in found]

        assert names(birthday_this_month=True) == ["Birthday Woman"]
        assert names(women=True) == ["Birthday Woman"]
        assert names(release_soon=True) == ["Leaving Soon"]
        assert names(accepting=True) == ["Birthday Woman"]
        assert names(region="Hrodna") == ["Leaving Soon"]
        assert prisoners.regions(session) == ["Hrodna", "Minsk"]


def test_the_profile_gives_the_address_ready_to_copy_with_the_country_in_latin(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine, name_latin="Anna Kavalchuk", interests="Gardening")
    page = client.get(f"/prisoners/{prisoner.slug}")
    assert page.status_code == 200
    assert "ул. Антоновская, 1\n246035 Гомель\nREPUBLIC OF BELARUS</pre>" in page.text
    assert "Russian or Belarusian" in page.text and "Gardening" in page.text
    assert client.get("/prisoners/nobody").status_code == 404


def test_no_address_is_offered_where_letters_do_not_arrive(
    client: TestClient, engine: Engine
) -> None:
    prisoner = make_prisoner(engine, accepts_letters=False)
    page = client.get(f"/prisoners/{prisoner.slug}")
    assert "Letters do not reach this person" in page.text and "<pre" not in page.text


def test_the_list_page_works_with_filters_and_pick(client: TestClient, engine: Engine) -> None:
    prisoner = make_prisoner(engine, name_latin="Only One")
    page = client.get("/prisoners?women=true&region=Nowhere")
    assert page.status_code == 200 and "No one matches" in page.text
    assert "Only One" in client.get("/prisoners").text
    picked = client.get("/prisoners/pick", follow_redirects=False)
    assert picked.status_code == 303 and picked.headers["location"].endswith(prisoner.slug)
