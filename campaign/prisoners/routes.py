"""Public prisoner pages: who needs mail, a person's page with the address and the rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.db import SessionDep, utcnow
from campaign.prisoners import service
from campaign.web import found, redirect, render

router = APIRouter(prefix="/prisoners")


@router.get("")
def prisoner_list(
    request: Request,
    session: SessionDep,
    birthday: bool = False,
    release: bool = False,
    women: bool = False,
    accepting: bool = False,
    region: str = "",
) -> Response:
    """Everyone held, least mail first; filters are plain query parameters (no JavaScript)."""
    filters = service.Filters(birthday, release, women, accepting, region[:100])
    today = utcnow().date()
    context = {
        "listed": service.prisoners_needing_mail(session, filters=filters, today=today),
        "filters": filters,
        "regions": service.regions(session),
    }
    return render(request, "prisoners/list.html", context)


@router.get("/pick")
def pick(request: Request, session: SessionDep) -> Response:
    """ "Pick someone for me": one of those who got the fewest letters lately."""
    prisoner = service.pick_for_me(session, today=utcnow().date())
    return redirect(f"/prisoners/{prisoner.slug}" if prisoner else "/prisoners")


@router.get("/{slug}")
def prisoner_page(request: Request, session: SessionDep, slug: str) -> Response:
    prisoner, facility = found(service.public_prisoner(session, slug))
    today = utcnow().date()
    context = {
        "prisoner": prisoner,
        "facility": facility,
        "address": service.address_block(prisoner, facility),
        "rules": service.writing_rules(facility.country if facility else "BY"),
        "can_write": service.can_write(prisoner),
        "recent": service.recent_letter_count(session, prisoner, today),
        "next_birthday": service.next_birthday(prisoner.birth_date, today)
        if prisoner.birth_date
        else None,
    }
    return render(request, "prisoners/profile.html", context)
