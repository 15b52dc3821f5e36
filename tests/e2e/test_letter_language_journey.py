"""Journey: a supporter reading in Belarusian writes to the demo campaign's officials, sees
each letter's language, switches one, is warned about her English words in the Cyrillic
letters, rewrites them, and prints letters that each read in one language."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Page

from campaign.core.i18n import translations
from campaign.letters.service.letter_templates import letter_date
from tests.e2e.helpers import Site, assert_accessible, download, pdf_text, typed_name

CAMPAIGN = "/letters/write-for-anna"
BE = translations("be")
ENGLISH_WORDS = "I met Anna in Hrodna; she taught my daughter to read."
BELARUSIAN_WORDS = "Я ведаю Ганну з Гародні: яна навучыла маю дачку чытаць."
RUSSIAN_WORDS = "Я знаю Анну по Гродно: она научила мою дочь читать."


def t(message: str, **values: str) -> str:
    """The Belarusian page's wording (English where not translated yet)."""
    return BE.gettext(message) % values if values else BE.gettext(message)


def test_a_belarusian_supporter_gets_letters_that_each_read_in_one_language(
    page: Page, site: Site, variant: str
) -> None:
    name = typed_name("desktop")  # Алеся Пісьменніца: a Cyrillic signature for every variant
    page.goto(site.url + CAMPAIGN + "?lang=be")
    assert page.locator("html").get_attribute("lang") == "be"
    assert page.get_by_text("Беларуская, English, Русский").is_visible()
    page.get_by_role("textbox", name=t("Full name")).fill(name)
    page.get_by_role("combobox", name=t("Country")).select_option("LT")
    page.get_by_role("textbox", name=t("City (optional)")).fill("Вільня")
    page.get_by_label(t("A few words of your own")).fill(ENGLISH_WORDS)
    page.get_by_role("button", name=t("See my letter")).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().strip() == t("Your letter")
    assert_accessible(page)

    letters = page.locator("section.letter")
    prosecutor = letters.filter(has_text="Генеральный прокурор Республики Беларусь")
    minister = letters.filter(has_text="Министр внутренних дел")
    ambassador = letters.filter(has_text="Ambassador of the Republic of Belarus")
    russian = t("This letter is in %(language)s.", language="Русский")
    assert prosecutor.get_by_text(russian).is_visible()
    assert ambassador.get_by_text(
        t("This letter is in %(language)s.", language="English")
    ).is_visible()
    # Her English words are flagged in the Russian letters, not in the English one.
    assert prosecutor.locator(".field-error").is_visible()
    assert minister.locator(".field-error").is_visible()
    assert ambassador.locator(".field-error").count() == 0

    # The prosecutor's letter in Belarusian instead: a plain choice and a button.
    prosecutor.get_by_role("combobox", name=t("Write this letter in")).select_option("be")
    prosecutor.get_by_role("button", name=t("Change the language")).click()
    page.wait_for_load_state()
    prosecutor = page.locator("section.letter").filter(has_text="Генеральны пракурор")
    minister = page.locator("section.letter").filter(has_text="Министр внутренних дел")
    belarusian = t("This letter is in %(language)s.", language="Беларуская")
    assert prosecutor.get_by_text(belarusian).is_visible()
    text = prosecutor.get_by_role("textbox").input_value()
    assert text.startswith("Паважаны спадар Генеральны пракурор!")
    assert "Ганна Кавальчук" in text and "(ая)" not in text
    assert prosecutor.locator(".field-error").is_visible()  # still her English words
    assert_accessible(page)
    if variant == "phone":
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the letter page is {width}px wide on a 360px phone"

    # She rewrites her words in each Cyrillic letter.
    for section, words in ((prosecutor, BELARUSIAN_WORDS), (minister, RUSSIAN_WORDS)):
        box = section.get_by_role("textbox")
        box.fill(box.input_value().replace(ENGLISH_WORDS, words))
    data = download(
        page,
        lambda: page.get_by_role("button", name=t("Download to print and post (PDF)")).click(),
    )
    printed = pdf_text(data)
    assert "Паважаны спадар Генеральны пракурор!" in printed
    assert "Уважаемый господин Министр!" in printed and "Dear Ambassador," in printed
    assert BELARUSIAN_WORDS.split(":")[0] in printed and RUSSIAN_WORDS.split(":")[0] in printed
    assert printed.count("I met Anna in Hrodna") == 1  # in the English letter only
    today = datetime.now(UTC).date()
    for language in ("be", "ru", "en"):
        day = letter_date(today, language).split("\u202f")[0]
        assert printed.count(day) == 1, f"the {language} date {day!r} is not printed once"
    # Each letter names her in its sender block, its return line and its closing: not again.
    assert printed.count(name) == 3 * 3
