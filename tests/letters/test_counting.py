"""Letters supporters send themselves are counted on their word alone, so one client's word is
counted only a few times per campaign: a script posting the form cannot inflate the total."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from campaign.core.settings import Settings
from campaign.letters.models import LetterCampaign
from campaign.letters.service import dashboard
from tests.factories import make_letter_campaign
from tests.letters.test_journey import review, send


def letters_so_far(engine: Engine, campaign: LetterCampaign) -> int:
    """Letters the campaign's page counts as sent by supporters themselves."""
    with Session(engine) as session:
        return dashboard.public_tally(session, campaign).themselves


def test_one_client_posting_count_me_again_and_again_moves_the_total_only_a_little(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    pages = [send(client, campaign, data, channel="mailto", count_me="1") for _ in range(30)]
    assert all(page.status_code == 200 and "mailto:" in page.text for page in pages)
    assert letters_so_far(engine, campaign) == 10  # the default: 10 letters a day, not posts


def test_the_limit_counts_letters_so_a_post_to_many_officials_cannot_multiply_it(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(
        update={"letter_count_limit_per_client": "3/day"}
    )  # type: ignore[attr-defined]
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    send(client, campaign, data, channel="mailto", count_me="1")  # two officials: two letters
    assert letters_so_far(engine, campaign) == 2
    send(client, campaign, data, channel="mailto", count_me="1")  # one letter of the limit left
    assert letters_so_far(engine, campaign) == 3
    for _ in range(5):
        send(client, campaign, data, channel="mailto", count_me="1")
    assert letters_so_far(engine, campaign) == 3


def test_over_the_limit_the_page_is_the_same_and_nothing_is_counted(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    client.app.state.settings = settings.model_copy(
        update={"letter_count_limit_per_client": "2/day"}
    )  # type: ignore[attr-defined]
    campaign = make_letter_campaign(engine)
    _, data = review(client, campaign)
    counted = [send(client, campaign, data, channel="mailto", count_me="1") for _ in range(2)]
    assert letters_so_far(engine, campaign) == 2  # the second post already found no room
    over = send(client, campaign, data, channel="mailto", count_me="1")
    assert letters_so_far(engine, campaign) == 2  # two letters: one supporter's, two officials
    assert over.status_code == counted[1].status_code == 200
    assert over.text == counted[1].text  # the same links and the same total: nothing tells
    printed = send(client, campaign, data, channel="print", count_me="1")
    assert printed.headers["content-type"] == "application/pdf"  # the letter still comes
    assert letters_so_far(engine, campaign) == 2

    other = make_letter_campaign(engine)  # the limit is per campaign
    _, data = review(client, other)
    send(client, other, data, channel="print", count_me="1")
    assert letters_so_far(engine, other) == 1  # only the prosecutor has a postal address
