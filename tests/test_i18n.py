"""Every interface string is translated in every language, with its placeholders intact."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.core.i18n import LOCALE_DIR, gettext, negotiate, ngettext, set_locale, using
from campaign.core.settings import LOCALES, PROJECT_DIR
from tests.factories import make_letter_campaign

TRANSLATED = [locale for locale in LOCALES if locale != "en"]


@pytest.fixture(scope="module")
def source_strings(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=PROJECT_DIR,
        check=True,
    )
    with pot.open("rb") as handle:
        return {
            message.id if isinstance(message.id, str) else message.id[0]
            for message in read_po(handle)
            if message.id
        }


def catalogue(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_source_string_is_in_the_catalogue(locale: str, source_strings: set[str]) -> None:
    present = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(locale) if m.id}
    missing = source_strings - present
    assert not missing, f"run `make messages` and translate: {sorted(missing)[:5]}"


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_entry_is_fuzzy_empty_or_broken(locale: str) -> None:
    cat = catalogue(locale)
    problems = []
    for message in cat:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
        problems += [f"{message.id!r}: {error}" for error in message.check(cat)]
    assert problems == []


def test_no_compiled_catalogue_is_committed() -> None:
    assert list(Path(LOCALE_DIR).rglob("*.mo")) == []


def test_translation_follows_the_current_locale() -> None:
    set_locale("de")
    assert gettext("Log in") != "Log in"
    set_locale("en")
    assert gettext("Log in") == "Log in"


def test_plural_forms_follow_the_language() -> None:
    set_locale("ru")
    one, few, many = (
        ngettext(
            "Too many attempts. Try again in %(num)d minute.",
            "Too many attempts. Try again in %(num)d minutes.",
            n,
        )
        for n in (1, 3, 5)
    )
    set_locale("en")
    assert len({one.replace("1", ""), few.replace("3", ""), many.replace("5", "")}) == 3


@pytest.mark.parametrize(
    ("query", "cookie", "header", "expected"),
    [
        ("be", "ru", "de", "be"),
        (None, "ru", "de", "ru"),
        (None, None, "fr;q=0.9, uk;q=0.8, de;q=0.7", "uk"),
        (None, None, "fr", "en"),
        ("xx", "yy", "", "en"),
    ],
)
def test_the_locale_comes_from_query_then_cookie_then_header(
    query: str | None, cookie: str | None, header: str, expected: str
) -> None:
    assert negotiate(query, cookie, header, "en") == expected


def test_counts_are_written_as_each_language_groups_digits() -> None:
    from campaign.core.i18n import ngettext, using

    written = {}
    for locale in ("en", "de", "be"):
        with using(locale):
            written[locale] = ngettext("%(num)d signature", "%(num)d signatures", 12345)
    assert written["en"] == "12,345 signatures"
    assert written["de"].startswith("12.345 ")
    assert written["be"].startswith("12\xa0345 ")


# Words a reviewer found wrong, by language: each catalogue keeps to one term throughout.
FORBIDDEN_WORDS = [
    ("be", r"\bдадзен", "«даныя», not «дадзеныя»"),
    ("be", r"\bзняволен(?!н)", "«вязень» is the word for a prisoner («месца зняволення» stays)"),
    ("uk", r"\b[Оо]беріть\b|\bобрати\b", "«Виберіть», «вибрати» throughout"),
    ("ru", r"\bчиновник", "«должностное лицо» throughout"),
    (
        "pl",
        r"\b(cię|ciebie|tobie|tobą|twój|twoja|twoje|twojego|twojej|twoich|twoim|twoimi|twoją)\b",
        "the reader is addressed with a capital: «Cię», «Twój»",
    ),
    (
        "de",
        r"\b(Administrator|Organisator|Unterzeichner|Unterstützer|Eigentümer|Amtsträger|Adressat"
        r"|Empfänger|Betrachter)(en|n|s)?(?![*\w])|Unterzeichnend|Unterstützend",
        "people are named with the gender star: Organisator*innen, Eigentümer*in",
    ),
]


@pytest.mark.parametrize(
    ("locale", "pattern", "rule"),
    FORBIDDEN_WORDS,
    ids=["be-data", "be-prisoner", "uk-choose", "ru-official", "pl-you", "de-gender-star"],
)
def test_each_language_keeps_to_its_chosen_words(locale: str, pattern: str, rule: str) -> None:
    found = []
    for message in catalogue(locale):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        found += [text for text in strings if message.id and re.search(pattern, text)]
    assert found == [], rule


def test_plural_forms_of_belarusian_participles_agree_with_a_few() -> None:
    with using("be"):
        invalidated = ngettext(
            "%(num)d signature invalidated.", "%(num)d signatures invalidated.", 3
        )
        imported = ngettext("%(num)d official imported.", "%(num)d officials imported.", 2)
    assert "прызнаныя" in invalidated
    assert "імпартаваныя" in imported


@pytest.mark.parametrize("locale", LOCALES)
def test_the_prisoner_and_the_details_on_a_letter_campaign_are_joined_by_one_colon(
    locale: str, client: TestClient, engine: Engine
) -> None:
    campaign = make_letter_campaign(
        engine, prisoner_name="Anna Kavalchuk", prisoner_details="a nurse from Hrodna"
    )
    page = client.get(f"/letters/{campaign.slug}?lang={locale}").text
    lead = re.search(r'<p class="lead">(.*?)</p>', page, re.S)
    assert lead is not None
    assert "Anna Kavalchuk" in lead.group(1) and "a nurse from Hrodna" in lead.group(1)
    assert lead.group(1).count(":") == 1
