"""ISO 3166 countries (codes from pycountry), named in the visitor's language (Babel)."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from babel import Locale
from babel.core import get_global

from campaign.core.i18n import _, get_locale, using


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


# Where most supporters of Belarusian prisoners live: offered first in every country list.
FIRST = ("BY", "LT", "PL", "UA", "DE")
# Letters that Unicode orders after Я, but the Belarusian and Ukrainian alphabets do not.
_CYRILLIC_ORDER = str.maketrans(
    {"ґ": "г\u0001", "є": "е\u0001", "ё": "е\u0001", "і": "и\u0001", "ї": "и\u0002", "ў": "у\u0001"}
)


class OptionGroup(NamedTuple):
    """A named group of a select's options (an <optgroup>): (code, name) pairs."""

    label: str
    options: tuple[tuple[str, str], ...]


def _sort_key(name: str) -> str:
    """Alphabetical order for people: accents fold into their letter (Ä with A, Č with C)."""
    folded = unicodedata.normalize("NFKD", name.casefold().translate(_CYRILLIC_ORDER))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


@cache
def _choices(locale: str) -> tuple[OptionGroup, ...]:
    names = _names(locale)
    ordered = sorted(names.items(), key=lambda item: _sort_key(item[1]))
    with using(locale):
        return (
            OptionGroup(_("Where most supporters live"), tuple((c, names[c]) for c in FIRST)),
            # Every country stays in its place in A–Z too: someone looking for theirs under
            # its letter finds it there; the two groups are named, so no name reads as a
            # stray repeat, to the eye or to a screen reader.
            OptionGroup(_("All countries, A–Z"), tuple(ordered)),
        )


def country_choices(locale: str | None = None) -> list[OptionGroup]:
    """The groups of a country select: the likely countries first, then every one by name."""
    return list(_choices(locale or get_locale()))


def is_country(code: str) -> bool:
    """Whether the code is an ISO 3166-1 alpha-2 country code."""
    return code.upper() in country_codes()


def country_zone(code: str, at: datetime) -> ZoneInfo | None:
    """The country's clock at that moment, if all of it keeps one (Belarus, Germany); None for
    a country whose clocks differ (the United States) or an unknown code."""
    zones = _zones(code.upper())
    if not zones or len({at.astimezone(zone).utcoffset() for zone in zones}) > 1:
        return None
    return zones[0]


@cache
def _zones(code: str) -> tuple[ZoneInfo, ...]:
    found = []
    for name in get_global("territory_zones").get(code, []):
        try:
            found.append(ZoneInfo(name))
        except ZoneInfoNotFoundError:  # CLDR's placeholder "Etc/Unknown"
            continue
    return tuple(found)
