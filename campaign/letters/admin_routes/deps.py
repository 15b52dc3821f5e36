"""What the organiser pages of letters share: the campaign a URL names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from campaign.accounts.deps import CurrentOrganiser, asks, require_duty
from campaign.accounts.service.roles import Duty
from campaign.core.db import SessionDep
from campaign.core.web import found
from campaign.letters.models import LetterCampaign


def campaign_for(duty: Duty) -> Callable[..., LetterCampaign]:
    """A dependency for the campaign a URL names, when the user's role in its organisation allows
    the duty: 404 when there is none or the user is not a member (its existence is not told),
    403 naming the roles needed when the role does not allow it."""

    @asks(duty)
    def campaign_for_editor(
        campaign_id: int, session: SessionDep, user: CurrentOrganiser
    ) -> LetterCampaign:
        campaign = found(session.get(LetterCampaign, campaign_id))
        require_duty(session, user, campaign.organisation_id, duty)
        return campaign

    return campaign_for_editor


# Counts (any member); the campaign's content, delivery and the officials' replies.
CampaignToView = Annotated[LetterCampaign, Depends(campaign_for(Duty.view))]
CampaignToEdit = Annotated[LetterCampaign, Depends(campaign_for(Duty.campaign))]
