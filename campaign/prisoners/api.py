"""The open list of prisoners (/api/prisoners): what other sites and the lists volunteers use
need to send a letter, and nothing a person's page does not already show. Someone hidden for
want of consent is not in it, and asking for them by slug is a 404 like an unknown slug."""

from __future__ import annotations

import json
from datetime import date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from campaign.core.db import ReadSessionDep
from campaign.core.web import cached_body, found
from campaign.prisoners.models import Facility, Prisoner
from campaign.prisoners.service import prisoners

router = APIRouter(prefix="/api/prisoners", tags=["prisoners"])

# Short: consent withdrawn must take a person out of every cache within a minute.
CACHE = "public, max-age=10, stale-while-revalidate=30"


class FacilitySummary(BaseModel):
    name: str
    country: str


class PrisonerEntry(BaseModel):
    slug: str
    name_latin: str
    name_cyrillic: str
    status: str
    region: str
    birth_date: date | None
    arrested_on: date | None
    release_expected_on: date | None
    facility: FacilitySummary | None
    # As it must go on the envelope (Cyrillic, the name in the dative case).
    letter_address: str
    accepts_letters: bool
    # "anyone", "listed" (only senders the person listed) or "unknown".
    letters_from: str
    url: str
    updated_at: datetime


def _entry(prisoner: Prisoner, facility: Facility | None, base_url: str) -> dict[str, object]:
    return PrisonerEntry(
        slug=prisoner.slug,
        name_latin=prisoner.name_latin,
        name_cyrillic=prisoner.name_cyrillic,
        status=prisoner.status,
        region=prisoner.region,
        birth_date=prisoner.birth_date,
        arrested_on=prisoner.arrested_on,
        release_expected_on=prisoner.release_expected_on,
        facility=FacilitySummary(name=facility.name, country=facility.country)
        if facility
        else None,
        letter_address=prisoner.letter_address,
        accepts_letters=prisoner.accepts_letters,
        letters_from=prisoner.letters_from,
        url=f"{base_url}/prisoners/{prisoner.slug}",
        updated_at=prisoner.updated_at,
    ).model_dump(mode="json")


def _json(request: Request, data: object) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return cached_body(request, body, "application/json", CACHE)


@router.get("", response_model=list[PrisonerEntry])
def list_prisoners(request: Request, session: ReadSessionDep) -> Response:
    """Everyone the register may name, by name, with the address letters go to."""
    base_url = request.app.state.settings.base_url
    rows = prisoners.public_register(session)
    return _json(request, [_entry(prisoner, facility, base_url) for prisoner, facility in rows])


@router.get(
    "/{slug}", response_model=PrisonerEntry, responses={404: {"description": "No such prisoner"}}
)
def get_prisoner(request: Request, session: ReadSessionDep, slug: str) -> Response:
    """One person, by the slug of their page."""
    prisoner, facility = found(prisoners.public_prisoner(session, slug))
    return _json(request, _entry(prisoner, facility, request.app.state.settings.base_url))
