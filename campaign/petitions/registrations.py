"""What petitions give the shared registries: the petition as translatable content, the
signatures on a supporter's own page, the signers' retention, and the worker's purge."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import object_session

from campaign.content import registry as content
from campaign.core import periodic
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.petitions import jobs, retention
from campaign.petitions.models import Petition, PetitionField
from campaign.petitions.service import fields
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
    content.register(
        content.Kind(
            fields.KIND,
            PetitionField,
            (
                content.ContentField("label", lambda: _("Question or label"), 200, multiline=False),
                content.ContentField("help", lambda: _("Help text"), 500, multiline=False),
                content.ContentField("options", lambda: _("Answers, one per line"), 2100),
            ),
            "/admin/petition-fields/{id}",
            _field_label,
            _field_organisation,
            _field_saved,
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


def _field_label(field: PetitionField) -> str:
    return field.label


def _field_petition(field: PetitionField) -> Petition:
    session = object_session(field)
    assert session is not None
    petition = session.get(Petition, field.petition_id)
    assert petition is not None
    return petition


def _field_organisation(field: PetitionField) -> int:
    return _field_petition(field).organisation_id


def _field_saved(session: Any, field: PetitionField) -> None:
    """A field's version in another language changes its petition's sign form."""
    petition = _field_petition(field)
    petition.updated_at = utcnow()
    session.add(petition)
