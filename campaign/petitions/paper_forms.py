"""The organiser's forms for paper sheets: which sheets to print, and a returned sheet entered as
a tally or row by row; each checked here, with its message next to the field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from campaign.core.countries import is_country
from campaign.core.fields import check_whole
from campaign.core.i18n import _, available_locales
from campaign.core.web import FormErrors
from campaign.petitions.forms import CITY_MAX
from campaign.petitions.service.paper import MAX_SHEET_NUMBER, ROWS_PER_SHEET, Row

NAME_MAX = 120
# One download prints at most this many sheets: a stall's stack, not a print run.
MAX_SHEETS = 50


@dataclass(frozen=True)
class SheetRequest:
    """Which sheets to print: `count` sheets numbered from `first`, in `lang`."""

    first: int
    count: int
    lang: str


@dataclass(frozen=True)
class SheetEntry:
    """A returned sheet: its number, where it was collected and, for a tally, its count."""

    number: int
    country: str
    count: int = 0
    rows: tuple[Row, ...] = ()


def _text(raw: Mapping[str, str], key: str) -> str:
    return " ".join(raw.get(key, "").split())


def parse_sheet_request(first: str, count: str, lang: str) -> tuple[SheetRequest, FormErrors]:
    """The sheets asked for by the download form (a GET, so its link can be shared)."""
    errors = FormErrors()
    number, error = check_whole(first or "1", low=1, high=MAX_SHEET_NUMBER)
    if error:
        errors.add("first", error)
    sheets, error = check_whole(count or "1", low=1, high=MAX_SHEETS)
    if error:
        errors.add("sheets", error)
    elif number + sheets - 1 > MAX_SHEET_NUMBER:
        errors.add("sheets", _("Sheet numbers go up to %(max)s.", max=MAX_SHEET_NUMBER))
    if lang not in available_locales():
        errors.add("lang", _("Choose a language from the list."))
    return SheetRequest(number, sheets, lang), errors


def _sheet(raw: Mapping[str, str], errors: FormErrors) -> tuple[int, str]:
    number, error = check_whole(raw.get("number", ""), low=1, high=MAX_SHEET_NUMBER)
    if error:
        errors.add("number", error)
    country = _text(raw, "country").upper()
    if not is_country(country):
        errors.add("country", _("Choose the country where the sheet was signed."))
    return number, country


def parse_tally(raw: Mapping[str, str]) -> tuple[SheetEntry, FormErrors]:
    """A sheet entered by its count of signatures."""
    errors = FormErrors()
    number, country = _sheet(raw, errors)
    count, error = check_whole(raw.get("count", ""), low=1, high=ROWS_PER_SHEET)
    if error:
        errors.add("count", error)
    return SheetEntry(number, country, count=count), errors


def parse_rows(raw: Mapping[str, str]) -> tuple[SheetEntry, FormErrors]:
    """A sheet entered row by row: a row counts when anything of it is filled in; its country
    is the sheet's unless the row names another."""
    errors = FormErrors()
    number, country = _sheet(raw, errors)
    rows = []
    for line in range(1, ROWS_PER_SHEET + 1):
        name, city = _text(raw, f"name_{line}"), _text(raw, f"city_{line}")
        own = _text(raw, f"country_{line}").upper()
        if not (name or city or own):
            continue
        if own and not is_country(own):
            errors.add(f"country_{line}", _("Choose a country from the list."))
        if len(name) > NAME_MAX:
            errors.add(f"name_{line}", _("At most %(max)s characters.", max=NAME_MAX))
        if len(city) > CITY_MAX:
            errors.add(f"city_{line}", _("At most %(max)s characters.", max=CITY_MAX))
        rows.append(Row(line=line, country=own or country, name=name, city=city))
    if not rows:
        errors.add("name_1", _("Fill in at least one row, or enter the sheet as a count."))
    return SheetEntry(number, country, count=len(rows), rows=tuple(rows)), errors
