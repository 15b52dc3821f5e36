"""What the organiser pages of petitions share: the petition a URL names, and the audit trail of
what is done to it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from campaign.accounts.deps import CurrentOrganiser
from campaign.accounts.models import User
from campaign.accounts.service.organisations import role_in
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.web import found
from campaign.petitions.models import Petition


def petition_for_editor(petition_id: int, session: SessionDep, user: CurrentOrganiser) -> Petition:
    """The petition an organiser asked for; 404 when there is none, and when it belongs to an
    organisation they are not a member of (its existence is not told)."""
    petition = found(session.get(Petition, petition_id))
    found(role_in(session, user, petition.organisation_id))
    return petition


PetitionForEditor = Annotated[Petition, Depends(petition_for_editor)]


def record(
    session: SessionDep, user: User, action: str, petition: Petition, **details: object
) -> None:
    """Put an organiser's action on a petition in the audit trail."""
    audit.record(
        session,
        by=user,
        action=action,
        target=f"petition:{petition.id}",
        title=petition.title,
        **details,
    )
