"""What the organiser pages of letters share: the campaign a URL names."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from campaign.accounts.deps import CurrentOrganiser
from campaign.accounts.service.organisations import role_in
from campaign.core.db import SessionDep
from campaign.core.web import found
from campaign.letters.models import LetterCampaign


def campaign_for_editor(
    campaign_id: int, session: SessionDep, user: CurrentOrganiser
) -> LetterCampaign:
    """The campaign an organiser asked for; 404 when there is none, and when it belongs to an
    organisation they are not a member of (its existence is not told)."""
    campaign = found(session.get(LetterCampaign, campaign_id))
    found(role_in(session, user, campaign.organisation_id))
    return campaign


CampaignForEditor = Annotated[LetterCampaign, Depends(campaign_for_editor)]
