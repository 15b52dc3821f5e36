"""What the organisers' prisoner pages ask of a request: the person in the path, for an
organiser who may edit the register (the record, consent, transfers, events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from campaign.accounts.deps import Campaigner
from campaign.core.db import SessionDep
from campaign.core.web import found
from campaign.prisoners.models import Prisoner


def prisoner_for_editor(prisoner_id: int, session: SessionDep, user: Campaigner) -> Prisoner:
    """The prisoner an organiser who may edit the register asked for; 404 when there is none."""
    return found(session.get(Prisoner, prisoner_id))


PrisonerForEditor = Annotated[Prisoner, Depends(prisoner_for_editor)]
