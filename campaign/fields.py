"""Form fields several domains ask for, each checked the same way everywhere."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from campaign.i18n import _

EMAIL_MAX = 254


def check_email(value: str) -> tuple[str, str | None]:
    """The address normalised, or the message to show next to the field."""
    value = " ".join(value.split())
    if not value:
        return value, _("Enter your e-mail address.")
    if len(value) > EMAIL_MAX:
        return value, _("Enter a valid e-mail address.")
    try:
        return validate_email(value, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return value, _("Enter a valid e-mail address.")
