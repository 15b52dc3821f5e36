"""What the organiser pages of petitions share: the petition a URL names, and the audit trail of
what is done to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from campaign.accounts.deps import CurrentOrganiser, asks, require_duty
from campaign.accounts.models import User
from campaign.accounts.service.roles import Duty
from campaign.core.db import SessionDep
from campaign.core.web import found
from campaign.petitions.models import Petition, PetitionPartner, PetitionStatus
from campaign.petitions.service import manage


def petition_for(duty: Duty) -> Callable[..., Petition]:
    """A dependency for the petition a URL names, when the user's role in its organisation allows
    the duty: 404 when there is none or the user is not a member (its existence is not told),
    403 naming the roles needed when the role does not allow it."""

    @asks(duty)
    def petition_for_editor(
        petition_id: int, session: SessionDep, user: CurrentOrganiser
    ) -> Petition:
        petition = found(session.get(Petition, petition_id))
        require_duty(session, user, petition.organisation_id, duty)
        return petition

    return petition_for_editor


def partnership_for(duty: Duty) -> Callable[..., tuple[Petition, int]]:
    """A dependency for a coalition petition as one of its partners sees it: (petition, partner
    id) when the URL's organisation is a partner and the user's role in it allows the duty; 404
    when either is not so or the user is not a member of that partner."""

    @asks(duty)
    def partnership(
        petition_id: int, organisation_id: int, session: SessionDep, user: CurrentOrganiser
    ) -> tuple[Petition, int]:
        petition = found(session.get(Petition, petition_id))
        found(session.get(PetitionPartner, (petition_id, organisation_id)))
        if petition.status == PetitionStatus.draft:  # a host's draft is its own
            found(None)
        require_duty(session, user, organisation_id, duty)
        return petition, organisation_id

    return partnership


# Counts and charts (any member); content, publishing and updates; supporters' personal data.
PetitionToView = Annotated[Petition, Depends(petition_for(Duty.view))]
PetitionToEdit = Annotated[Petition, Depends(petition_for(Duty.campaign))]
PetitionData = Annotated[Petition, Depends(petition_for(Duty.steward))]
PartnershipToView = Annotated[tuple[Petition, int], Depends(partnership_for(Duty.view))]
PartnershipData = Annotated[tuple[Petition, int], Depends(partnership_for(Duty.steward))]


def record(
    session: SessionDep, user: User, action: str, petition: Petition, **details: object
) -> None:
    """Put an organiser's action on a petition in the audit trail."""
    manage.record_event(session, user, action, petition, **details)
