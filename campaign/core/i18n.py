"""Locales: gettext catalogues read from campaign/locales, and the locale of the current request.

Catalogues are kept as .po text in the repository and compiled in memory when first used, so
no binary .mo file is ever committed and a fresh checkout needs no build step.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from campaign.core.settings import LOCALES

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locales"
LANGUAGE_COOKIE = "campaign_lang"

_current: ContextVar[str] = ContextVar("campaign_locale", default="en")


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue for a locale; English (the source language) needs none."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer)


@cache
def available_locales() -> tuple[str, ...]:
    """Locales offered to visitors: English and every locale that has a catalogue (read once)."""
    return tuple(loc for loc in LOCALES if loc == "en" or (LOCALE_DIR / loc).is_dir())


@cache
def language_name(locale: str) -> str:
    """A language's own name for itself, for the language switcher (on every page)."""
    name = Locale.parse(locale).get_display_name(locale) or locale
    return name[:1].upper() + name[1:]


def negotiate(query: str | None, cookie: str | None, accept_language: str, default: str) -> str:
    """The locale for a request: ?lang=, then the cookie, then Accept-Language, then default."""
    offered = available_locales()
    for choice in (query, cookie):
        if choice in offered:
            return choice
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().split("-")[0].lower()
        if language in offered and quality > 0:
            weighted.append((quality, language))
    if weighted:
        return max(weighted, key=lambda item: item[0])[1]
    return default if default in offered else "en"


def set_locale(locale: str) -> None:
    """Make `locale` the one used by gettext in this context (a request, a mail being rendered)."""
    _current.set(locale)


@contextmanager
def using(locale: str) -> Iterator[None]:
    """Translate into `locale` inside the block (a mail, a letter), then restore the old one."""
    token = _current.set(locale)
    try:
        yield
    finally:
        _current.reset(token)


def get_locale() -> str:
    """The locale of the current context."""
    return _current.get()


def translate(message: str) -> str:
    """The message in the current locale, placeholders left as they are."""
    return translations(_current.get()).ugettext(message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """The plural form for n in the current locale, placeholders left as they are."""
    return translations(_current.get()).ungettext(singular, plural, n)


def gettext(message: str, **variables: object) -> str:
    """Translate into the current locale; `%(name)s` placeholders are filled from variables."""
    text = translate(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Translate a message that has plural forms; `%(num)d` is filled with n as the language
    writes numbers (12,345 in English, 12.345 in German, 12 345 in Belarusian)."""
    text = translate_plural(singular, plural, n).replace("%(num)d", "%(num)s")
    return text % {"num": format_number(n), **variables}


def format_number(value: int) -> str:
    """A whole number with the current language's digit grouping."""
    return str(format_decimal(value, locale=_current.get()))


_ = gettext


def localized_date(value: date | str) -> str:
    """A date as the current language writes it ("25 November 2026" in English);
    ISO strings are accepted too, as mail context stored in the outbox holds them."""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return str(format_date(day, format="long", locale=get_locale()))


def localized_time(value: datetime) -> str:
    """The time of day on the value's own clock, as the current language writes it (08:00)."""
    return str(format_time(value, format="short", locale=get_locale()))
