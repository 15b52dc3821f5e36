"""Form fields several domains ask for, each checked the same way everywhere."""

from __future__ import annotations

from datetime import UTC, datetime

from email_validator import EmailNotValidError, validate_email

from campaign.core.i18n import _

EMAIL_MAX = 254


def check_email(value: str, *, smtputf8: bool = False) -> tuple[str, str | None]:
    """The address normalised, or the message to show next to the field.

    An international domain is kept in Unicode (пример.бел, however it was typed, so look-ups
    find it) and goes out as IDNA. Letters outside ASCII before the @ can only be mailed over
    SMTPUTF8: pass `smtputf8` (the SMTP_UTF8 setting) where the relay offers it.
    """
    value = " ".join(value.split())
    if not value:
        return value, _("Enter your e-mail address.")
    if len(value) > EMAIL_MAX:
        return value, _("Enter a valid e-mail address.")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return value, _("Enter a valid e-mail address.")
    if checked.smtputf8 and not smtputf8:
        return value, _(
            "Letters outside the Latin alphabet before the @ cannot be mailed from this site. "
            "Use an address with Latin letters before the @."
        )
    return checked.normalized, None


def check_day(value: str, *, end_of_day: bool = False) -> tuple[datetime | None, str | None]:
    """A date typed as 2027-03-31, as an aware UTC datetime (at its last minute if end_of_day)."""
    if not value.strip():
        return None, None
    try:
        day = datetime.fromisoformat(value.strip()).replace(tzinfo=UTC)
    except ValueError:
        return None, _("Enter a date such as 2027-03-31.")
    return (day.replace(hour=23, minute=59) if end_of_day else day), None


def check_whole(value: str, *, low: int, high: int) -> tuple[int, str | None]:
    """A whole number within bounds, or the message to show next to the field."""
    try:
        number = int(value.strip())
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        return low, _("Enter a whole number from %(low)s to %(high)s.", low=low, high=high)
    return number, None


ID_MAX = 2**31 - 1  # every id column is an INTEGER (32 bits on PostgreSQL)


def row_id(value: str) -> int | None:
    """An id sent by a form (a select's value), or None when it cannot be one: str.isdigit()
    is true for "²", which int() refuses, a number past INTEGER is a database error, and int()
    refuses more than 4,300 digits."""
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 12 or int(value) > ID_MAX:
        return None
    return int(value)
