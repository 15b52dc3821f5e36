"""Form fields about organisations that the domains' forms share."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from campaign.core.fields import row_id
from campaign.core.i18n import _
from campaign.core.web import FormErrors


def check_organisation(
    raw: Mapping[str, str], choices: Collection[int], errors: FormErrors
) -> int | None:
    """The organisation a new petition or campaign is started in: one of `choices` (those in
    which the organiser campaigns), or an error beside the field."""
    chosen = row_id(raw.get("organisation_id", ""))
    if chosen is None or chosen not in choices:
        errors.add("organisation_id", _("Choose one of your organisations."))
        return None
    return chosen
