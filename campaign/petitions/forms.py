"""The sign form: what a supporter types, checked at the edge with an error per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from campaign.core.countries import is_country
from campaign.core.fields import check_email
from campaign.core.i18n import _
from campaign.core.web import FormErrors

NAME_MAX = 120
CITY_MAX = 100
HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"


@dataclass(frozen=True)
class SignForm:
    """A valid signature as typed: names and cities are kept exactly, `= + - @` included."""

    name: str
    email: str
    country: str
    city: str
    wants_updates: bool
    show_publicly: bool
    named_in_handover: bool = False


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key, "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def checked(raw: Mapping[str, object], key: str) -> bool:
    """Whether a checkbox came back ticked."""
    value = raw.get(key)
    return isinstance(value, str) and value in {"1", "on", "yes", "true"}


def parse_sign_form(
    raw: Mapping[str, object], *, smtputf8: bool = False
) -> tuple[SignForm | None, FormErrors]:
    """Check the fields of a submitted sign form; a SignForm, or errors by field (`smtputf8`:
    the relay takes addresses with letters outside ASCII before the @)."""
    errors = FormErrors()
    name = _text(raw, "name")
    email = _text(raw, "email")
    country = _text(raw, "country").upper()
    city = _text(raw, "city")
    if not name:
        errors.add("name", _("Enter your full name."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("Use at most %(count)s characters.", count=NAME_MAX))
    email, problem = check_email(email, smtputf8=smtputf8)
    if problem:
        errors.add("email", problem)
    if not is_country(country):
        errors.add("country", _("Choose your country."))
    if len(city) > CITY_MAX:
        errors.add("city", _("Use at most %(count)s characters.", count=CITY_MAX))
    if not checked(raw, "consent"):
        errors.add("consent", _("Your signature can only be counted with your consent."))
    if errors:
        return None, errors
    form = SignForm(
        name=name,
        email=email,
        country=country,
        city=city,
        wants_updates=checked(raw, "wants_updates"),
        show_publicly=checked(raw, "show_publicly"),
        named_in_handover=checked(raw, "named_in_handover"),
    )
    return form, errors
