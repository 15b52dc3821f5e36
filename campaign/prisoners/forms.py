"""The prisoners' side's forms, checked at the edge with an error per field: a register entry
(typed by an organiser or read from a CSV row), a facility, the volunteer's sign-in address,
a letter logged, the volunteer's settings, and the letter the phrasebook helps write."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from campaign.core.countries import is_country
from campaign.core.fields import check_email, check_whole
from campaign.core.i18n import _, get_locale, language_name
from campaign.core.scripts import fits_language
from campaign.core.settings import LOCALES
from campaign.core.web import FormErrors
from campaign.prisoners.models import Channel, Gender, LettersFrom, PrisonerStatus
from campaign.prisoners.service.censor import (
    REFUSED_SHARE,
    Censor,
    alphabet_named,
    foreign_words,
    languages_named,
)
from campaign.prisoners.service.phrasebook import Phrase, load_phrasebook

LINES = {"name_latin": 200, "name_cyrillic": 200, "region": 100, "articles": 300}
LINES |= {"sentence": 300, "source": 300, "external_id": 64}
TEXTS = {"letter_address": 1000, "interests": 3000, "writer_notes": 3000}
DATES = ("birth_date", "arrested_on", "release_expected_on", "source_date")
YES = {"1", "yes", "true", "y", "да", "так", "tak", "ja", "taip"}
NO = {"0", "no", "false", "n", "нет", "не", "nie", "nein", "ne"}
NAME_MAX = 80
OWN_TEXT_MAX = 3000
SIGNATURE_MAX = 60


def one_line(value: str | None) -> str:
    """The text on one line: each run of whitespace (newlines too) one space, none at the ends."""
    return " ".join((value or "").split())


# -- the register ----------------------------------------------------------------------------

# The name as letters in each language write it (letters to officials name the prisoner).
NAME_LANGUAGES = LOCALES


def name_column(language: str) -> str:
    """The form field and CSV column of the name in a language, e.g. name_be."""
    return f"name_{language}"


@dataclass(frozen=True)
class PrisonerForm:
    """A prisoner as typed, every field checked; facility_id is None for "not known"."""

    values: dict[str, Any]
    facility_id: int | None


def parse_prisoner(
    raw: Mapping[str, str], facilities: Mapping[str, int], *, today: date
) -> tuple[PrisonerForm | None, FormErrors]:
    """Check a prisoner's fields (from the form or a CSV row); errors by field.

    `facilities` maps facility names to ids: a row names its facility, the form picks one.
    """
    errors = FormErrors()
    values: dict[str, Any] = {name: one_line(raw.get(name)) for name in LINES}
    values |= {name: (raw.get(name) or "").replace("\r\n", "\n").strip() for name in TEXTS}
    for name, limit in (LINES | TEXTS).items():
        if len(values[name]) > limit:
            errors.add(name, _("Use at most %(count)s characters.", count=limit))
    if not values["external_id"]:
        errors.add("external_id", _("Give the id this person has in your source list."))
    if not values["name_latin"]:
        errors.add("name_latin", _("Enter the name in Latin letters."))
    for name in DATES:
        text = (raw.get(name) or "").strip()
        values[name] = None
        if text:
            try:
                values[name] = date.fromisoformat(text)
            except ValueError:
                errors.add(name, _("Enter a date such as 2027-03-31."))
    birth, arrested = values["birth_date"], values["arrested_on"]
    release = values["release_expected_on"]
    if birth is not None and not date(1900, 1, 1) <= birth <= today:
        errors.add("birth_date", _("The date of birth cannot be in the future."))
    if arrested is not None and arrested > today:
        errors.add("arrested_on", _("The arrest cannot be in the future."))
    if release is not None and arrested is not None and release < arrested:
        errors.add("release_expected_on", _("The release cannot come before the arrest."))
    if birth is not None and arrested is not None and arrested < birth:
        errors.add("arrested_on", _("The arrest cannot come before the birth."))
    values["status"] = (raw.get("status") or PrisonerStatus.sentenced.value).strip().lower()
    if values["status"] not in {s.value for s in PrisonerStatus}:
        errors.add("status", _("Use one of: detained, sentenced, released, deceased."))
    values["gender"] = (raw.get("gender") or "").strip().lower()
    if values["gender"] not in {g.value for g in Gender}:
        errors.add("gender", _("Use female, male, other, or leave it empty."))
    accepts = (raw.get("accepts_letters") or "yes").strip().lower()
    if accepts not in YES | NO:
        errors.add("accepts_letters", _("Use yes or no."))
    values["accepts_letters"] = accepts in YES
    if "letters_from" in raw:  # a CSV without this column leaves the value as it is
        letters_from = (raw.get("letters_from") or LettersFrom.unknown.value).strip().lower()
        if letters_from not in {choice.value for choice in LettersFrom}:
            errors.add("letters_from", _("Use anyone, listed or unknown."))
        values["letters_from"] = letters_from
    names = {
        language: one_line(raw.get(name_column(language)))
        for language in NAME_LANGUAGES
        if name_column(language) in raw
    }
    for language, name in names.items():
        if len(name) > LINES["name_latin"]:
            errors.add(name_column(language), _("Use at most %(count)s characters.", count=200))
        elif not fits_language(name, language):
            errors.add(
                name_column(language),
                _("Write it in the alphabet of %(language)s.", language=language_name(language)),
            )
    if names:  # a CSV without these columns leaves the names as they are
        values["names"] = names
    facility_name = one_line(raw.get("facility"))
    facility_id = facilities.get(facility_name) if facility_name else None
    if facility_name and facility_id is None:
        errors.add("facility", _("No facility named %(name)s.", name=facility_name[:100]))
    if errors:
        return None, errors
    return PrisonerForm(values, facility_id), errors


@dataclass(frozen=True)
class FacilityForm:
    name: str
    address: str
    country: str
    notes: str


def parse_facility(raw: Mapping[str, str]) -> tuple[FacilityForm | None, FormErrors]:
    """Check a facility's fields; errors by field."""
    errors = FormErrors()
    name = " ".join(raw.get("name", "").split())
    address = raw.get("address", "").replace("\r\n", "\n").strip()
    country = raw.get("country", "").strip().upper()
    notes = raw.get("notes", "").replace("\r\n", "\n").strip()
    if not name or len(name) > 200:
        errors.add(
            "name", _("Give the facility a name of at most %(count)s characters.", count=200)
        )
    if len(address) > 1000:
        errors.add("address", _("Use at most %(count)s characters.", count=1000))
    if not is_country(country):
        errors.add("country", _("Use a two-letter country code such as BY."))
    if len(notes) > 5000:
        errors.add("notes", _("Use at most %(count)s characters.", count=5000))
    if errors:
        return None, errors
    return FacilityForm(name, address, country, notes), errors


# -- volunteers ------------------------------------------------------------------------------


def parse_email_form(
    raw: dict[str, str], *, smtputf8: bool = False
) -> tuple[str | None, FormErrors]:
    """The address typed on the sign-in page, or the error to show (`smtputf8`: the relay
    takes addresses with letters outside ASCII before the @)."""
    errors = FormErrors()
    email, problem = check_email(raw.get("email", ""), smtputf8=smtputf8)
    if problem:
        errors.add("email", problem)
        return None, errors
    return email, errors


def parse_log(raw: dict[str, str], *, today: date) -> tuple[tuple[date, str] | None, FormErrors]:
    """The date and channel of a letter being logged, or errors by field."""
    errors = FormErrors()
    try:
        sent_on = date.fromisoformat(raw.get("sent_on", "").strip())
    except ValueError:
        errors.add("sent_on", _("Enter a date such as 2027-03-31."))
        sent_on = today
    if sent_on > today:
        errors.add("sent_on", _("The date cannot be in the future."))
    elif sent_on < today - timedelta(days=365):
        errors.add("sent_on", _("Log letters sent within the last year."))
    channel = raw.get("channel", Channel.post.value)
    if channel not in {c.value for c in Channel}:
        errors.add("channel", _("Choose how the letter went."))
    if errors:
        return None, errors
    return (sent_on, channel), errors


@dataclass(frozen=True)
class SettingsForm:
    """The volunteer's display name and reminder choices, checked."""

    display_name: str
    reminder_days: int
    birthday_reminders: bool
    followed_only: bool
    silence_alerts: bool
    transfer_notices: bool = True


def parse_settings(raw: dict[str, str]) -> tuple[SettingsForm | None, FormErrors]:
    """The volunteer's settings form; errors by field."""
    errors = FormErrors()
    name = " ".join(raw.get("display_name", "").split())
    if len(name) > NAME_MAX:
        errors.add("display_name", _("Use at most %(count)s characters.", count=NAME_MAX))
    days, problem = check_whole(raw.get("reminder_days", "14"), low=1, high=60)
    if problem:
        errors.add("reminder_days", problem)
    if errors:
        return None, errors
    return SettingsForm(
        display_name=name,
        reminder_days=days,
        birthday_reminders=raw.get("birthday_reminders") == "1",
        followed_only=raw.get("followed_only") == "1",
        silence_alerts=raw.get("silence_alerts") == "1",
        transfer_notices=raw.get("transfer_notices") == "1",
    ), errors


# -- the letter helper -----------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """What the volunteer chose, checked."""

    language: str
    phrases: list[Phrase]
    own_text: str
    signature: str


def parse_draft(
    raw: Mapping[str, str], chosen: list[str], *, censor: Censor
) -> tuple[Draft | None, FormErrors]:
    """Check the helper's form: a letter language the censor hands over, ticked phrases, the
    volunteer's own words in the censor's alphabet (a few words in another are only warned of,
    by censor.check)."""
    errors = FormErrors()
    locale = get_locale()
    language = raw.get("language", censor.languages[0])
    if language not in censor.languages:
        errors.add(
            "language",
            _(
                "This prison hands over letters in %(languages)s only.",
                languages=languages_named(censor, locale),
            ),
        )
    known = {phrase.id: phrase for phrase in load_phrasebook()}
    phrases = [known[pid] for pid in dict.fromkeys(chosen) if pid in known]
    own_text = raw.get("own_text", "").replace("\r\n", "\n").strip()
    signature = " ".join(raw.get("signature", "").split())
    share, foreign = foreign_words(own_text, censor)
    if len(own_text) > OWN_TEXT_MAX:
        errors.add("own_text", _("Use at most %(count)s characters.", count=OWN_TEXT_MAX))
    elif share > REFUSED_SHARE:
        errors.add(
            "own_text",
            _(
                "The censor hands over only letters written in %(alphabet)s letters, so this "
                "letter would not arrive: write your own words in %(languages)s. Not in "
                "%(alphabet)s: %(words)s",
                alphabet=alphabet_named(censor),
                languages=languages_named(censor, locale),
                words=", ".join(dict.fromkeys(match.group() for match in foreign[:8])),
            ),
        )
    if len(signature) > SIGNATURE_MAX:
        errors.add("signature", _("Use at most %(count)s characters.", count=SIGNATURE_MAX))
    if not phrases and not own_text and "own_text" not in errors:
        errors.add("phrases", _("Choose at least one phrase or write a few words of your own."))
    if errors:
        return None, errors
    return Draft(language, phrases, own_text, signature), errors
