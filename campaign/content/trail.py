"""How the audit entries of versions in other languages read, in the organiser's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from campaign.core import audit
from campaign.core.i18n import _, language_name


def _with_language(values: Mapping[str, Any]) -> dict[str, Any]:
    return {**values, "language": language_name(str(values["locale"]))}


SENTENCES: dict[str, audit.Sentence] = {
    "content.translated": lambda v: _(
        "%(who)s saved the %(language)s version of «%(about)s»", **_with_language(v)
    ),
    "content.translation_removed": lambda v: _(
        "%(who)s removed the %(language)s version of «%(about)s»", **_with_language(v)
    ),
}


def register() -> None:
    """Add the sentences; the domains name what the versions belong to."""
    audit.describe(SENTENCES)
