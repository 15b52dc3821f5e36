"""What petitions give the shared registries: the petition as translatable content, the
signatures on a supporter's own page, the signers' retention, and the worker's purge."""

from __future__ import annotations

from typing import Any

from campaign.content import registry as content
from campaign.core import periodic
from campaign.core.i18n import _
from campaign.petitions import jobs, retention
from campaign.petitions.models import Petition
from campaign.privacy import registry as privacy


def register() -> None:
    """Register the petitions' part in content, privacy, retention and the worker's jobs."""
    content.register(
        content.Kind(
            "petition",
            Petition,
            (
                content.ContentField("title", lambda: _("Title"), 200, multiline=False),
                content.ContentField("summary", lambda: _("Summary"), 500),
                content.ContentField("addressee", lambda: _("Addressed to"), 300, multiline=False),
                content.ContentField("body", lambda: _("The demand"), 20000),
            ),
            "/admin/petitions/{id}",
            _title,
            _organisation,
        )
    )
    privacy.register_section(privacy.section("signatures", "signatures", retention))
    privacy.register_retention(privacy.RetentionRule("petitions", retention.anonymise_due))
    periodic.register(periodic.PeriodicJob("unconfirmed_signatures", jobs.unconfirmed_signatures))
    periodic.register(periodic.PeriodicJob("scheduled_updates", jobs.scheduled_updates))


def _title(petition: Petition) -> str:
    return petition.title


def _organisation(obj: Any) -> int:
    return int(obj.organisation_id)
