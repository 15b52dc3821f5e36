"""/admin, the organisers' front page: the figures of one's own organisations (signatures today
and in seven days per open petition, letters waiting and sent), the register's people without
mail for 60 days, the outbox's health, and the way to every organiser page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from campaign.accounts.deps import CurrentOrganiser
from campaign.accounts.models import User
from campaign.accounts.service.organisations import member_organisation_ids
from campaign.core.db import SessionDep, utcnow
from campaign.core.web import NO_STORE, render
from campaign.letters.service.figures import InFlight, letters_in_flight
from campaign.mail.health import OutboxHealth, outbox_health
from campaign.petitions.service.figures import Lately, signatures_lately
from campaign.prisoners.service.consent import waiting
from campaign.prisoners.service.dashboard import without_mail

router = APIRouter()

SILENCE_DAYS = 60


@dataclass(frozen=True)
class Figures:
    petitions: list[Lately]
    letters: InFlight
    without_mail: int
    waiting_consent: int
    outbox: OutboxHealth


def figures(session: Session, user: User) -> Figures:
    """The front page's figures for this organiser: petitions and letters of the organisations
    they are a member of (any role may see counts); the register and the outbox are the
    install's, counts only."""
    now = utcnow()
    mine = member_organisation_ids(session, user)
    return Figures(
        petitions=signatures_lately(session, organisation_ids=mine, now=now),
        letters=letters_in_flight(session, organisation_ids=mine),
        without_mail=without_mail(session, today=now.date(), days=SILENCE_DAYS),
        waiting_consent=len(waiting(session)),
        outbox=outbox_health(session, now=now),
    )


def _waited(age: timedelta | None) -> tuple[int, int] | None:
    """The oldest queued message's wait as (hours, minutes)."""
    if age is None:
        return None
    minutes = max(0, int(age.total_seconds() // 60))
    return minutes // 60, minutes % 60


@router.get("/admin")
def dashboard(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    shown = figures(session, user)
    context = {
        "user": user,
        "figures": shown,
        "silence_days": SILENCE_DAYS,
        "waited": _waited(shown.outbox.oldest_queued),
    }
    return render(request, "admin/dashboard.html", context, headers=NO_STORE)
