"""ISO 3166 countries (codes from pycountry), named in the visitor's language (Babel)."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale

from campaign.i18n import get_locale


@cache
def country_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {
        country.alpha_2: territories.get(country.alpha_2, country.name)
        for country in pycountry.countries
    }


def country_name(code: str, locale: str | None = None) -> str:
    """The country's name in the locale (the current one by default); the code if unknown."""
    return _names(locale or get_locale()).get(code.upper(), code)


def country_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the locale, for a select field."""
    names = _names(locale or get_locale())
    return sorted(names.items(), key=lambda item: item[1].casefold())


def is_country(code: str) -> bool:
    """Whether the code is an ISO 3166-1 alpha-2 country code."""
    return code.upper() in country_codes()
