"""The demo shows a Belarusian or Russian reader no English in what organisers wrote: both
petitions (addressee included), the letter campaign and the prisoners' interests and notes."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import select

from campaign.core.db import transaction
from campaign.core.settings import Settings
from campaign.prisoners.models import Prisoner
from campaign.site.demo import load_demo

ENGLISH = [
    "Release all political prisoners",
    "Human rights defenders",
    "The authorities of the Republic",
    "The Prosecutor General of the Republic",
    "Write to the officials who hold",
    "Ask the Prosecutor General",
    "a nurse from Hrodna",
    "For Anna Kavalchuk",
    "Gardening",
    "Football",
    "Poetry",
    "Cooking",
    "A fictional record for the demo",
    "Nursing, her garden",
    "I write to Anna as",
]


@pytest.mark.parametrize("locale", ["be", "ru"])
def test_the_demo_content_has_a_version_in_belarusian_and_russian(
    client: TestClient, engine: Engine, settings: Settings, locale: str
) -> None:
    with transaction(engine) as session:
        load_demo(session, settings=settings)
        prisoners = [p.slug for p in session.exec(select(Prisoner)).all()][:4]
    pages = [
        "/petitions/free-anna-kavalchuk",
        "/petitions/release-all-political-prisoners",
        "/letters/write-for-anna",
        *(f"/prisoners/{slug}" for slug in prisoners),
        "/prisoners/anna-kavalchuk",
    ]
    for path in pages:
        page = client.get(f"{path}?lang={locale}")
        assert page.status_code == 200, path
        shown = [text for text in ENGLISH if text in page.text]
        assert shown == [], (path, shown)
    # The same pages in English show the originals: the phrases above are really on them.
    english = "".join(client.get(f"{path}?lang=en").text for path in pages)
    assert [text for text in ENGLISH if text not in english] == []
