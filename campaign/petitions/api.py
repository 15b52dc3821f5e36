"""The public JSON API: petitions and their counts. Never a signer's name or address."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from campaign.core.db import ReadSessionDep
from campaign.core.web import not_modified
from campaign.petitions.models import Petition
from campaign.petitions.service import public
from campaign.petitions.service.counting import tallies

router = APIRouter(prefix="/api/petitions", tags=["petitions"])

# A cache in front (or the browser) may serve these for a few seconds: a surge of viewers
# then costs one database read per interval, and If-None-Match costs no rendering at all.
CACHE = "public, max-age=10, stale-while-revalidate=30"


class PetitionSummary(BaseModel):
    slug: str
    title: str
    summary: str
    addressee: str
    status: str
    goal: int
    displayed_goal: int
    signature_count: int
    url: str
    published_at: datetime | None
    closed_at: datetime | None
    ends_at: datetime | None
    updated_at: datetime


class PetitionDetail(PetitionSummary):
    signatures_by_country: dict[str, int]


def _summary(petition: Petition, base_url: str) -> dict[str, object]:
    return {
        "slug": petition.slug,
        "title": petition.title,
        "summary": petition.summary,
        "addressee": petition.addressee,
        "status": public.public_status(petition),
        "goal": petition.goal,
        "displayed_goal": public.displayed_goal(petition.signature_count, petition.goal),
        "signature_count": petition.signature_count,
        "url": f"{base_url}/petitions/{petition.slug}",
        "published_at": petition.published_at,
        "closed_at": petition.closed_at,
        "ends_at": petition.ends_at,
        "updated_at": petition.updated_at,
    }


@router.get("", response_model=list[PetitionSummary])
def list_petitions(request: Request, session: ReadSessionDep) -> Response:
    """Open petitions, newest first, with their counts."""
    petitions = public.open_petitions(session)
    etag = public.version_tag("list", *(public.petition_version(p) for p in petitions))
    if (cached := not_modified(request, etag, CACHE)) is not None:
        return cached
    base_url = request.app.state.settings.base_url
    body = [
        PetitionSummary.model_validate(_summary(p, base_url)).model_dump(mode="json")
        for p in petitions
    ]
    return JSONResponse(body, headers={"etag": etag, "cache-control": CACHE})


@router.get(
    "/{slug}", response_model=PetitionDetail, responses={404: {"description": "No such petition"}}
)
def petition_detail(request: Request, session: ReadSessionDep, slug: str) -> Response:
    """One open or closed petition with its count per country (ISO 3166 codes)."""
    petition = public.public_petition(session, slug)
    if petition is None:
        raise HTTPException(status_code=404, detail="No such petition")
    etag = public.version_tag("petition", public.petition_version(petition))
    if (cached := not_modified(request, etag, CACHE)) is not None:
        return cached
    detail = {
        **_summary(petition, request.app.state.settings.base_url),
        "signatures_by_country": dict(tallies(session, petition)),
    }
    body = PetitionDetail.model_validate(detail).model_dump(mode="json")
    return JSONResponse(body, headers={"etag": etag, "cache-control": CACHE})
