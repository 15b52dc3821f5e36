"""Letters' forms, checked at the edge with an error per field: the organiser's campaign form
and letter template, the writer's fields on the campaign page, and an official (typed in the
register's form or read from a CSV row) with their e-mail addresses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import available_timezones

import pycountry
from babel import localedata
from email_validator import EmailNotValidError, validate_email

from campaign.core.countries import is_country
from campaign.core.fields import check_day, check_whole, row_id
from campaign.core.i18n import _, language_name
from campaign.core.scripts import fits_language
from campaign.core.settings import LOCALES
from campaign.core.slugs import SLUG_PATTERN, slugify
from campaign.core.web import FormErrors
from campaign.letters.models import (
    EmailStatus,
    LetterCampaign,
    PersonalParagraph,
    TargetMode,
)
from campaign.letters.service.letter_templates import check_template

# -- the organiser's campaign form -----------------------------------------------------------

FLAGS = ("allow_email", "allow_mailto", "allow_print", "body_locked")
# name → (lowest, highest): the delivery settings typed as whole numbers
NUMBERS = {
    "hourly_cap": (1, 10_000),
    "daily_cap": (1, 100_000),
    "send_from_hour": (0, 23),
    "send_until_hour": (1, 24),
}
TEXTS = (
    *("title", "slug", "purpose", "prisoner_name", "prisoner_details"),
    *("target_mode", "personal_paragraph", "timezone"),
)


@dataclass(frozen=True)
class CampaignForm:
    """A checked campaign form: every field of LetterCampaign an organiser sets, and targets."""

    values: dict[str, object]
    official_ids: list[int]


def parse_campaign_form(
    raw: dict[str, str], official_ids: list[str]
) -> tuple[CampaignForm | None, FormErrors]:
    """Check a campaign form; a CampaignForm, or errors by field."""
    errors = FormErrors()
    title = " ".join(raw.get("title", "").split())
    slug = raw.get("slug", "").strip().lower() or slugify(title)
    if not title or len(title) > 200:
        errors.add(
            "title", _("Give the campaign a title of at most %(count)s characters.", count=200)
        )
    if not SLUG_PATTERN.match(slug) or len(slug) > 80:
        errors.add("slug", _("Use lower-case Latin letters, digits and hyphens."))
    mode = raw.get("target_mode", TargetMode.all.value)
    if mode not in {m.value for m in TargetMode}:
        errors.add("target_mode", _("Choose who receives the letters."))
    flags = {name: raw.get(name) == "1" for name in FLAGS}
    if not (flags["allow_email"] or flags["allow_mailto"] or flags["allow_print"]):
        errors.add("allow_email", _("Allow at least one way of sending letters."))
    if raw.get("personal_paragraph", "optional") not in {p.value for p in PersonalParagraph}:
        errors.add("personal_paragraph", _("Choose whether supporters add their own words."))
    values: dict[str, object] = {
        "title": title,
        "slug": slug,
        "target_mode": mode,
        "purpose": raw.get("purpose", "").replace("\r\n", "\n").strip()[:5000],
        "prisoner_name": " ".join(raw.get("prisoner_name", "").split())[:200],
        "prisoner_details": " ".join(raw.get("prisoner_details", "").split())[:1000],
        "personal_paragraph": raw.get("personal_paragraph", "optional"),
        "petition_id": row_id(raw.get("petition_id", "")),
        "prisoner_id": row_id(raw.get("prisoner_id", "")),
        **flags,
    }
    for name, (low, high) in NUMBERS.items():
        values[name], problem = check_whole(raw.get(name, ""), low=low, high=high)
        if problem:
            errors.add(name, problem)
    if values["daily_cap"] < values["hourly_cap"]:  # type: ignore[operator]
        errors.add("daily_cap", _("The daily limit cannot be lower than the hourly one."))
    if values["send_from_hour"] == values["send_until_hour"]:
        errors.add("send_until_hour", _("Sending hours must not start and end at the same hour."))
    values["timezone"] = raw.get("timezone", "UTC").strip() or "UTC"
    if values["timezone"] not in available_timezones():
        errors.add("timezone", _("Use a time zone such as Europe/Minsk."))
    for name, end_of_day in (("opens_at", False), ("closes_at", True)):
        values[name], problem = check_day(raw.get(name, ""), end_of_day=end_of_day)
        if problem:
            errors.add(name, problem)
    ids = sorted({n for n in map(row_id, official_ids) if n is not None})
    if errors:
        return None, errors
    return CampaignForm(values, ids), errors


# -- the organiser's letter template ---------------------------------------------------------


def check_letter(
    raw: dict[str, str], *, today: date, campaign: LetterCampaign
) -> tuple[dict[str, str], FormErrors]:
    """Check a template form: language, subjects and body; a template error comes with its line.

    A campaign that asks supporters for their own words needs a place for them in the letter.
    """
    errors = FormErrors()
    language = raw.get("language", "").strip().lower()
    subjects = "\n".join(
        line.strip() for line in raw.get("subjects", "").splitlines() if line.strip()
    )
    body = raw.get("body", "").replace("\r\n", "\n").strip()
    # The date in the letter is written the language's way: Babel must know the language.
    if pycountry.languages.get(alpha_2=language) is None or not localedata.exists(language):
        errors.add("language", _("Use a two-letter language code such as ru."))
        language = "en"
    if not subjects:
        errors.add("subjects", _("Give at least one subject line."))
    if not body:
        errors.add("body", _("Write the letter."))
    # Each letter gets one subject line, rendered alone: each line must work on its own.
    texts = [("subjects", n, line) for n, line in enumerate(subjects.splitlines(), start=1)]
    for name, number, text in [*texts, ("body", 0, body)]:
        problem = check_template(text, language=language, today=today) if text else None
        if problem is not None and name not in errors:
            line = number or problem.line
            where = _("line %(line)s: ", line=line) if line else ""
            errors.add(name, where + problem.message)
    if (
        body
        and "body" not in errors
        and campaign.personal_paragraph != PersonalParagraph.none
        and "personal_paragraph" not in body
    ):
        errors.add(
            "body", _("Put {{ personal_paragraph }} where the supporter's own words should go.")
        )
    return {"language": language, "subjects": subjects, "body": body}, errors


# -- the writer, on the campaign page --------------------------------------------------------

NAME_MAX = 120
CITY_MAX = 100
PARAGRAPH_MAX = 2000


@dataclass(frozen=True)
class Writer:
    """Who writes, as typed on the campaign page."""

    name: str
    city: str
    country: str
    paragraph: str


def _text(raw: Mapping[str, str], key: str) -> str:
    return " ".join(raw.get(key, "").split())


def parse_writer(
    raw: Mapping[str, str], campaign: LetterCampaign
) -> tuple[Writer | None, FormErrors]:
    """Check the writer's fields; a Writer, or errors by field."""
    errors = FormErrors()
    name, city, country = _text(raw, "name"), _text(raw, "city"), _text(raw, "country").upper()
    paragraph = raw.get("paragraph", "").replace("\r\n", "\n").strip()
    if not name:
        errors.add("name", _("Enter your full name."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("Use at most %(count)s characters.", count=NAME_MAX))
    if len(city) > CITY_MAX:
        errors.add("city", _("Use at most %(count)s characters.", count=CITY_MAX))
    if not is_country(country):
        errors.add("country", _("Choose your country."))
    if campaign.personal_paragraph == PersonalParagraph.none:
        paragraph = ""
    elif len(paragraph) > PARAGRAPH_MAX:
        errors.add("paragraph", _("Use at most %(count)s characters.", count=PARAGRAPH_MAX))
    elif not paragraph and campaign.personal_paragraph == PersonalParagraph.required:
        errors.add(
            "paragraph",
            _("Add a few words of your own: a letter that is only the template is easy to ignore."),
        )
    if errors:
        return None, errors
    return Writer(name, city, country, paragraph), errors


# -- an official in the register -------------------------------------------------------------

LIMITS = {"name": 200, "title": 200, "institution": 300, "postal_address": 1000, "notes": 5000}
# The per-language forms a register row may carry, as columns such as name_ru or salutation_be.
FORM_FIELDS = ("name", "title", "salutation")
FORM_LIMITS = {"name": 200, "title": 200, "salutation": 300}
FORM_LANGUAGES = LOCALES


@dataclass(frozen=True)
class OfficialForm:
    """An official as typed: fields checked, addresses parsed with their states."""

    name: str
    title: str
    institution: str
    country: str
    language: str
    emails: list[tuple[str, str]]
    postal_address: str
    notes: str
    # Only the per-language columns the row had: a CSV without them leaves the forms as they are.
    forms: dict[str, dict[str, str]] = field(default_factory=dict)


def form_column(field_name: str, language: str) -> str:
    """The column (and form field) of one per-language form, e.g. salutation_ru."""
    return f"{field_name}_{language}"


FORM_COLUMNS = [form_column(f, lang) for lang in FORM_LANGUAGES for f in FORM_FIELDS]


def _parse_forms(values: Mapping[str, str], errors: FormErrors) -> dict[str, dict[str, str]]:
    """The per-language forms present in a row, each checked for its length and alphabet."""
    forms: dict[str, dict[str, str]] = {}
    for language in FORM_LANGUAGES:
        for name in FORM_FIELDS:
            column = form_column(name, language)
            if column not in values:
                continue
            text = " ".join((values.get(column) or "").split())
            if len(text) > FORM_LIMITS[name]:
                errors.add(column, _("Use at most %(count)s characters.", count=FORM_LIMITS[name]))
            elif not fits_language(text, language):
                errors.add(
                    column,
                    _(
                        "Write it in the alphabet of %(language)s.",
                        language=language_name(language),
                    ),
                )
            forms.setdefault(language, {})[name] = text
    return forms


def parse_emails(text: str) -> tuple[list[tuple[str, str]], str | None]:
    """Addresses from "address [state]" entries split by lines or semicolons; or an error."""
    found: list[tuple[str, str]] = []
    for entry in text.replace(";", "\n").splitlines():
        parts = entry.replace(":", " ").split()
        if not parts:
            continue
        status = parts[1].lower() if len(parts) > 1 else EmailStatus.active.value
        if status not in {s.value for s in EmailStatus} or len(parts) > 2:
            return [], _(
                'Write each address as "address" or "address bouncing" / "address blocked".'
            )
        try:
            address = validate_email(parts[0], check_deliverability=False).normalized
        except EmailNotValidError:
            return [], _("%(address)s is not a valid e-mail address.", address=parts[0][:80])
        if address.lower() not in {a.lower() for a, _ in found}:
            found.append((address, status))
    return found, None


def parse_official(values: Mapping[str, str]) -> tuple[OfficialForm | None, FormErrors]:
    """Check an official's fields (from the form or a CSV row); errors by field."""
    errors = FormErrors()
    text = {
        name: " ".join((values.get(name) or "").split())
        for name in ("name", "title", "institution")
    }
    postal = (values.get("postal_address") or "").replace("\r\n", "\n").strip()
    notes = (values.get("notes") or "").replace("\r\n", "\n").strip()
    country = (values.get("country") or "").strip().upper()
    language = (values.get("language") or "").strip().lower()
    if not text["name"]:
        errors.add("name", _("Enter the official's name."))
    for name, value in {**text, "postal_address": postal, "notes": notes}.items():
        if len(value) > LIMITS[name]:
            errors.add(name, _("Use at most %(count)s characters.", count=LIMITS[name]))
    if country and not is_country(country):
        errors.add("country", _("Use a two-letter country code such as BY."))
    if language and pycountry.languages.get(alpha_2=language) is None:
        errors.add("language", _("Use a two-letter language code such as ru."))
    emails, problem = parse_emails(values.get("emails") or "")
    if problem:
        errors.add("emails", problem)
    forms = _parse_forms(values, errors)
    if errors:
        return None, errors
    return OfficialForm(
        text["name"],
        text["title"],
        text["institution"],
        country,
        language,
        emails,
        postal,
        notes,
        forms,
    ), errors
