"""The public JSON API (/api/petitions) and the open data (/petitions.json and .csv, each
petition's counts by country and by day): petitions and their counts, cacheable, never a
signer's name or address. `signature_count` is the total, paper sheets included (#19);
`online_count` and `paper_count` give its two parts where a petition's counts are given."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from campaign.core.csvcells import csv_lines
from campaign.core.db import ReadSessionDep, utcnow
from campaign.core.web import not_modified
from campaign.petitions.exports import by_country_csv, by_day_csv
from campaign.petitions.models import Petition
from campaign.petitions.service import finding, public
from campaign.petitions.service.counting import signatures_per_day, tallies

router = APIRouter(prefix="/api/petitions", tags=["petitions"])
open_data = APIRouter(prefix="/petitions", tags=["open data"])

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
    # signature_count holds both: signed online (confirmed) and entered from paper sheets.
    online_count: int
    paper_count: int


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


def _split(petition: Petition) -> dict[str, int]:
    """The total's two parts: signed online, and entered from paper sheets."""
    return {
        "online_count": petition.signature_count - petition.paper_count,
        "paper_count": petition.paper_count,
    }


def _public_or_404(session: Session, slug: str) -> Petition:
    petition = public.public_petition(session, slug)
    if petition is None:
        raise HTTPException(status_code=404, detail="No such petition")
    return petition


def _cached(
    request: Request, etag: str, build: Callable[[], Any], *, csv_name: str | None = None
) -> Response:
    """A 304 when the client holds this version already; else what build() makes, as JSON, or
    as a CSV file when named: a cache may keep either for a few seconds."""
    if (cached := not_modified(request, etag, CACHE)) is not None:
        return cached
    headers = {"etag": etag, "cache-control": CACHE}
    if csv_name is None:
        return JSONResponse(build(), headers=headers)
    headers["content-disposition"] = f'attachment; filename="{csv_name}"'
    return Response(build(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("", response_model=list[PetitionSummary])
def list_petitions(request: Request, session: ReadSessionDep) -> Response:
    """Open petitions, newest first, with their counts."""
    petitions = public.open_petitions(session)
    etag = public.version_tag("list", *(public.petition_version(p) for p in petitions))
    base_url = request.app.state.settings.base_url
    return _cached(
        request,
        etag,
        lambda: [
            PetitionSummary.model_validate(_summary(p, base_url)).model_dump(mode="json")
            for p in petitions
        ],
    )


@router.get(
    "/{slug}", response_model=PetitionDetail, responses={404: {"description": "No such petition"}}
)
def petition_detail(request: Request, session: ReadSessionDep, slug: str) -> Response:
    """One open or closed petition with its count per country (ISO 3166 codes)."""
    petition = _public_or_404(session, slug)
    etag = public.version_tag("petition", public.petition_version(petition))

    def detail() -> dict[str, Any]:
        found = {
            **_summary(petition, request.app.state.settings.base_url),
            "signatures_by_country": dict(tallies(session, petition)),
            **_split(petition),
        }
        return PetitionDetail.model_validate(found).model_dump(mode="json")

    return _cached(request, etag, detail)


class OpenPetition(PetitionSummary):
    won: bool
    won_at: datetime | None


class PetitionCounts(BaseModel):
    slug: str
    url: str
    signature_count: int
    online_count: int
    paper_count: int
    signatures_by_country: dict[str, int]
    signatures_by_day: dict[str, int]


OPEN_COLUMNS = [
    "slug",
    "title",
    "status",
    "won",
    "signature_count",
    "goal",
    "published_at",
    "closed_at",
    "ends_at",
    "won_at",
    "url",
]
NO_PETITION: dict[int | str, dict[str, Any]] = {404: {"description": "No such petition"}}
CSV_BODY: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "CSV, one row per line"}
}


def _open_summary(petition: Petition, base_url: str) -> dict[str, object]:
    return {
        **_summary(petition, base_url),
        "won": petition.won_at is not None,
        "won_at": petition.won_at,
    }


def _open_tag(kind: str, petitions: list[Petition]) -> str:
    return public.version_tag(
        kind, *(f"{public.petition_version(p)}.{p.won_at}" for p in petitions)
    )


@open_data.get(".json", response_model=list[OpenPetition])
def petitions_json(request: Request, session: ReadSessionDep) -> Response:
    """Every public petition (open or closed, won or not), newest first, with its count."""
    petitions = finding.public_petitions(session)
    base_url = request.app.state.settings.base_url
    return _cached(
        request,
        _open_tag("open-json", petitions),
        lambda: [
            OpenPetition.model_validate(_open_summary(p, base_url)).model_dump(mode="json")
            for p in petitions
        ],
    )


@open_data.get(".csv", response_class=Response, responses=CSV_BODY)
def petitions_csv(request: Request, session: ReadSessionDep) -> Response:
    """Every public petition as CSV, the columns of /petitions.json but the addressee, summary
    and update time; cells that start like a formula are made plain text."""
    petitions = finding.public_petitions(session)
    base_url = request.app.state.settings.base_url
    rows = (_open_summary(p, base_url) for p in petitions)
    return _cached(
        request,
        _open_tag("open-csv", petitions),
        lambda: b"".join(csv_lines([OPEN_COLUMNS, *([r[c] for c in OPEN_COLUMNS] for r in rows)])),
        csv_name="petitions.csv",
    )


def _counts_tag(kind: str, petition: Petition) -> str:
    return public.version_tag(kind, public.petition_version(petition), utcnow().date().isoformat())


@open_data.get("/{slug}/counts.json", response_model=PetitionCounts, responses=NO_PETITION)
def counts_json(request: Request, session: ReadSessionDep, slug: str) -> Response:
    """A petition's counted signatures by country (ISO 3166 codes) and by UTC day of
    confirmation, every day from the first to today."""
    petition = _public_or_404(session, slug)

    def counts() -> dict[str, Any]:
        found = {
            "slug": petition.slug,
            "url": f"{request.app.state.settings.base_url}/petitions/{petition.slug}",
            "signature_count": petition.signature_count,
            **_split(petition),
            "signatures_by_country": dict(tallies(session, petition)),
            "signatures_by_day": {
                day.isoformat(): n for day, n in signatures_per_day(session, petition=petition)
            },
        }
        return PetitionCounts.model_validate(found).model_dump(mode="json")

    return _cached(request, _counts_tag("counts-json", petition), counts)


TABLES: dict[str, Callable[[Session, Petition], bytes]] = {
    "country": by_country_csv,
    "day": by_day_csv,
}


@open_data.get(
    "/{slug}/counts-by-{by}.csv", response_class=Response, responses={**CSV_BODY, **NO_PETITION}
)
def counts_csv(
    request: Request, session: ReadSessionDep, slug: str, by: Literal["country", "day"]
) -> Response:
    """A petition's counted signatures per country (`country`, an ISO 3166 code, and
    `signatures`) or per UTC day (`date`, YYYY-MM-DD, and `signatures`)."""
    petition = _public_or_404(session, slug)
    return _cached(
        request,
        _counts_tag(f"{by}-csv", petition),
        lambda: TABLES[by](session, petition),
        csv_name=f"{petition.slug}-by-{by}.csv",
    )
