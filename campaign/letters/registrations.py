"""What letters to officials give the shared registries: the campaign page as translatable
content, senders on a supporter's own page, their retention, and the worker's jobs."""

from __future__ import annotations

from typing import Any

from campaign.content import registry as content
from campaign.core import periodic
from campaign.core.i18n import _
from campaign.letters import jobs, retention
from campaign.letters.models import LetterCampaign
from campaign.privacy import registry as privacy


def register() -> None:
    """Register the letters' part in content, privacy, retention and the worker's jobs."""
    content.register(
        content.Kind(
            "letters",
            LetterCampaign,
            (
                content.ContentField("title", lambda: _("Title"), 200, multiline=False),
                content.ContentField("purpose", lambda: _("Purpose"), 20000),
                content.ContentField(
                    "prisoner_name", lambda: _("Prisoner's name"), 200, multiline=False
                ),
                content.ContentField(
                    "prisoner_details", lambda: _("About the prisoner"), 1000, multiline=False
                ),
            ),
            "/admin/letters/{id}",
            _title,
            _organisation,
        )
    )
    privacy.register_section(privacy.section("letters_to_officials", "letter_senders", retention))
    privacy.register_retention(privacy.RetentionRule("letters", retention.anonymise_due))
    periodic.register(
        periodic.PeriodicJob("letters", jobs.letter_outcomes, then=(jobs.letter_release,))
    )
    periodic.register(periodic.PeriodicJob("letter_followups", jobs.letter_followups))


def _title(campaign: LetterCampaign) -> str:
    return campaign.title


def _organisation(obj: Any) -> int:
    return int(obj.organisation_id)
