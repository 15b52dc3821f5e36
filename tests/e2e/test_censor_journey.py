"""A volunteer on a 360 px phone without JavaScript types a letter with a word the censor holds
letters back for, sees it marked with the rule it breaks, cannot print it unread, fixes the
word and gets the PDF; a prisoner who takes letters only from listed senders says so."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.e2e.conftest import SCRIPTS_OFF, VARIANTS
from tests.e2e.helpers import Site, assert_accessible, download, pdf_text

PHONE_WITHOUT_SCRIPTS: dict[str, Any] = {**VARIANTS["phone"], "java_script_enabled": False}


@pytest.fixture
def phone(browser: Browser) -> Any:
    context: BrowserContext = browser.new_context(**PHONE_WITHOUT_SCRIPTS, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    SCRIPTS_OFF.add(id(page))
    yield page
    SCRIPTS_OFF.discard(id(page))
    context.close()


def fits(page: Page) -> bool:
    return bool(
        page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_a_risky_word_is_marked_with_its_rule_fixed_and_the_letter_printed(
    phone: Page, site: Site
) -> None:
    page = phone
    page.goto(site.url + "/prisoners/pick")
    page.get_by_role("link", name="Write a letter").click()
    page.wait_for_load_state()
    page.locator("fieldset.phrases input[type=checkbox]").nth(0).check()
    words = page.get_by_label("Your own words")
    words.fill("У нас выпал первый снег. Желаю Вам скорой свободы!")
    page.get_by_role("button", name="Show my letter").click()
    page.wait_for_load_state()

    mark = page.locator("mark.censor-mark")
    assert mark.count() == 1 and mark.inner_text().startswith("свободы")
    findings = page.locator("#censor-findings")
    assert "«свободы»" in findings.inner_text()
    assert "freedom or release" in findings.inner_text()
    assert fits(page)
    assert_accessible(page)

    # Printing without reading the warnings is refused beside them, the text kept.
    page.get_by_role("button", name="Download letter and envelope (PDF)").click()
    page.wait_for_load_state()
    assert page.locator("#error-read_warnings").is_visible()
    assert "скорой свободы" in page.get_by_label("Your own words").input_value()
    assert fits(page)

    page.get_by_label("Your own words").fill("У нас выпал первый снег. Желаю Вам здоровья!")
    page.get_by_role("button", name="Show my letter").click()
    page.wait_for_load_state()
    assert page.locator("mark.censor-mark").count() == 0
    assert page.get_by_text("No word the censor is known to object to.").is_visible()
    data = download(
        page,
        lambda: page.get_by_role("button", name="Download letter and envelope (PDF)").click(),
    )
    text = pdf_text(data)
    assert "Желаю Вам здоровья" in text and "свобод" not in text


def test_latin_words_are_refused_next_to_the_text(phone: Page, site: Site) -> None:
    page = phone
    page.goto(site.url + "/prisoners/pick")
    page.get_by_role("link", name="Write a letter").click()
    page.wait_for_load_state()
    page.get_by_label("Your own words").fill("Hello from Vilnius, stay strong!")
    page.get_by_role("button", name="Download letter and envelope (PDF)").click()
    page.wait_for_load_state()
    error = page.locator("#error-own_text")
    assert error.is_visible() and "Cyrillic" in error.inner_text()
    assert fits(page)
    assert_accessible(page)


def test_a_listed_only_prisoner_says_what_to_do_instead(phone: Page, site: Site) -> None:
    page = phone
    page.goto(site.url + "/prisoners")
    card = page.locator("li.card", has_text="only letters from listed senders reach this person")
    card.get_by_role("link").first.click()
    page.wait_for_load_state()
    notice = page.locator(".listed-only")
    assert notice.is_visible() and "family or the lawyer" in notice.inner_text()
    assert fits(page)
    assert_accessible(page)
