"""Journey: a supporter on a 360 px phone, in Belarusian, signs from the button at the top,
confirms from the mail and sees the petition, the new count and what to do next; opens the
link again and is told it is already confirmed; then writes to the officials and is told when
the letters go. The sign path also runs with JavaScript off."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from campaign.core.db import make_engine, transaction, utcnow
from campaign.core.i18n import translations
from campaign.letters.models import LetterCampaign
from tests.e2e.helpers import Site, assert_accessible, sign_petition, unique_email

PETITION = "/petitions/free-anna-kavalchuk"
LETTERS = "/letters/write-for-anna"
TITLE_BE = "Вызваліце Ганну Кавальчук"
BE = translations("be")
PHONE_SCREEN = 740  # the phone's viewport height in tests/e2e/conftest.py


def validity(days: int) -> str:
    """The sentence the mail and the check-your-mail page both give, in Belarusian."""
    text = BE.ngettext("The link works for %(num)d day.", "The link works for %(num)d days.", days)
    return text.replace("%(num)d", str(days))


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def sign_from_the_top(page: Page, site: Site, who: str) -> tuple[str, int]:
    """Open the petition in Belarusian, take the button at the top to the form, and sign;
    the address used and the count the page showed."""
    page.goto(site.url + PETITION + "?lang=be")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE_BE
    count = number(page.locator(".tally p.count strong").inner_text())
    jump = page.locator("a[href='#sign']")
    box = jump.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE_SCREEN, "not on the first screen"
    assert_accessible(page)
    jump.click()
    expect(page.locator("#field-name")).to_be_in_viewport()
    email = unique_email(page, who)
    sign_petition(page, email, name="Алеся Падпісантка", country="BY")
    assert page.locator("html").get_attribute("lang") == "be"
    assert validity(7) in page.locator("main").inner_text()
    return email, count


@pytest.mark.parametrize("variant", ["phone", "no-js"])
def test_a_supporter_signs_from_the_top_confirms_and_is_told_what_next(
    page: Page, site: Site, variant: str
) -> None:
    email, count_before = sign_from_the_top(page, site, f"truth-{variant}")
    mail = site.mail_to(email)
    body = mail.get_body(("plain",))
    assert body is not None and validity(7) in body.get_content()
    link = site.link_in(mail, "/confirm")
    page.goto(link)
    assert_accessible(page)
    page.locator("form[action$='/confirm'] button[type=submit]").click()
    page.wait_for_load_state()

    main = page.locator("main")
    assert TITLE_BE in main.inner_text()
    assert number(main.locator("p.count").inner_text()) == count_before + 1
    expect(main.locator(f"a[href='{LETTERS}']")).to_be_visible()
    expect(main.locator("a[href^='https://t.me/share/url']")).to_be_visible()
    assert_accessible(page)

    page.goto(link)  # the mail opened again later
    assert page.get_by_role("heading", level=1).inner_text() == BE.gettext(
        "Your signature is already confirmed"
    )
    assert TITLE_BE in page.locator("main").inner_text()
    assert page.locator("main form").count() == 0 and page.locator("main button").count() == 0
    assert_accessible(page)


@pytest.fixture
def hours_ahead(site: Site) -> Iterator[int]:
    """The demo campaign's sending hours begin two hours from now (UTC) for one test."""
    start = (utcnow() + timedelta(hours=2)).hour
    engine = make_engine(site.database_url)
    try:
        with transaction(engine) as session:
            session.execute(
                update(LetterCampaign).values(
                    send_from_hour=start, send_until_hour=(start + 1) % 24 or 24, timezone="UTC"
                )
            )
        yield start
    finally:
        with transaction(engine) as session:
            session.execute(update(LetterCampaign).values(send_from_hour=0, send_until_hour=24))
        engine.dispose()


@pytest.mark.parametrize("variant", ["phone"])
def test_a_supporter_writes_letters_and_is_told_when_they_go(
    page: Page, site: Site, variant: str, hours_ahead: int
) -> None:
    page.goto(site.url + LETTERS + "?lang=be")
    assert_accessible(page)
    page.locator("#field-name").fill("Алеся Пісьменніца")
    page.locator("#field-country").select_option("BY")
    page.locator("#field-city").fill("Гродна")
    page.locator("#field-paragraph").fill("Я ведаю Ганну з Гродна.")
    page.locator(":is(form[action$='/write'], form[action*='/write?']) button[type=submit]").click()
    page.wait_for_load_state()
    email = unique_email(page, "truth-letters")
    page.locator("#field-email").fill(email)
    # Belarusian words go into the English letter too: the writer sends them as they are.
    page.locator("#field-paragraph_as_is").check()
    page.locator("button[name=channel][value=email]").click()
    page.wait_for_load_state()
    assert validity(7) in page.locator("main").inner_text()

    page.goto(site.link_in(site.mail_to(email), "/confirm"))
    page.locator("form[action$='/confirm'] button[type=submit]").click()
    page.wait_for_load_state()
    told = page.locator(".sending-time").inner_text()
    # Outside the sending hours: when they begin, on a clock in Minsk (UTC+3 all year).
    assert f"{(hours_ahead + 3) % 24:02d}:00" in told and "Беларусь" in told
    tally = page.locator(".letter-tally").inner_text()
    assert tally.count("\n") >= 1  # sent through the site, and sent by supporters themselves
    assert_accessible(page)
