"""What the prisoners' side gives the shared registries: a prisoner's notes as translatable
content, the volunteer on a supporter's own page, and the worker's reminders."""

from __future__ import annotations

from campaign.content import registry as content
from campaign.core import periodic
from campaign.core.i18n import _
from campaign.prisoners import jobs, retention
from campaign.prisoners.models import Prisoner
from campaign.privacy import registry as privacy


def register() -> None:
    """Register the prisoners' part in content, privacy and the worker's jobs."""
    content.register(
        content.Kind(
            "prisoner",
            Prisoner,
            (
                content.ContentField(
                    "interests", lambda: _("Interests: what to write about"), 3000
                ),
                content.ContentField("writer_notes", lambda: _("Notes for writers"), 3000),
            ),
            "/admin/prisoners/{id}/edit",
            _name,
        )
    )
    privacy.register_section(privacy.section("volunteer", "volunteers", retention))
    periodic.register(
        periodic.PeriodicJob("volunteer_reminders", jobs.volunteer_reminders, every=3600)
    )
    periodic.register(periodic.PeriodicJob("transfer_notices", jobs.transfer_notices))


def _name(prisoner: Prisoner) -> str:
    return prisoner.name_latin
