"""The sign form within reach on a phone: a plain link to it near the top of the petition; and
the country list in two named groups, the likely countries first, then all of them A to Z."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.countries import FIRST, country_choices, country_codes
from campaign.core.web import select_options
from campaign.petitions.models import Petition
from tests.factories import make_letter_campaign, make_petition

GROUP = re.compile(r'<optgroup label="([^"]+)">(.*?)</optgroup>', re.S)
OPTION = re.compile(r'<option value="([^"]*)"[^>]*>([^<]*)</option>')


@pytest.fixture
def petition(engine: Engine) -> Petition:
    return make_petition(engine, title="Free Maria Kalesnikava", slug="free-maria")


def country_select(page: str) -> str:
    match = re.search(r'<select id="field-country".*?</select>', page, re.S)
    assert match, "no country list on the page"
    return match.group(0)


def test_a_link_near_the_top_leads_to_the_sign_form(client: TestClient, petition: Petition) -> None:
    page = client.get("/petitions/free-maria").text
    link = page.index('<a class="button" href="#sign">Sign this petition</a>')
    assert link < page.index('class="petition-text"')  # before the petition's text
    assert '<section class="sign" id="sign"' in page
    assert page.index('id="sign"') < page.index('id="field-name"')


def test_a_petition_that_takes_no_signatures_has_no_link_to_a_form(
    client: TestClient, engine: Engine
) -> None:
    make_petition(engine, slug="closed-one", status="closed")
    page = client.get("/petitions/closed-one").text
    assert 'href="#sign"' not in page


def test_the_country_list_gives_the_likely_countries_first_then_all_a_to_z(
    client: TestClient, petition: Petition
) -> None:
    select = country_select(client.get("/petitions/free-maria?lang=be").text)
    # Nothing outside the two named groups but the "choose" line.
    outside = OPTION.findall(GROUP.sub("", select))
    assert [value for value, _ in outside] == [""]
    (likely_label, likely), (all_label, every) = GROUP.findall(select)
    assert likely_label and all_label and likely_label != all_label
    assert tuple(value for value, _ in OPTION.findall(likely)) == FIRST
    every_option = OPTION.findall(every)
    assert {value for value, _ in every_option} == set(country_codes())
    assert len(every_option) == len(country_codes())  # each country once in A–Z
    names = [name for _, name in every_option]
    assert names.index("Беларусь") < names.index("Германія") < names.index("Літва")


def test_the_letters_form_uses_the_same_grouped_country_list(
    client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(engine)
    select = country_select(client.get(f"/letters/{campaign.slug}").text)
    assert len(GROUP.findall(select)) == 2


def test_a_chosen_country_is_selected_once_in_the_likely_group() -> None:
    html = str(select_options(country_choices("en"), "DE"))
    assert html.count(" selected") == 1
    first_group = html.split("</optgroup>")[0]
    assert '<option value="DE" selected>Germany</option>' in first_group
