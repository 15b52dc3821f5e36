"""The partner API (/api/osdi/v1), shaped like OSDI: an organisation's own systems read its
petitions with any of its tokens, and with a `people` token the signatures and people who let
it contact them. Every request names its token; each is limited per token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from campaign.accounts.models import ApiToken, ApiTokenRole
from campaign.accounts.service import api_tokens
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.ratelimit import Limiter
from campaign.petitions import osdi
from campaign.petitions.models import Petition
from campaign.petitions.service import partner_api

PREFIX = "/api/osdi/v1"
router = APIRouter(
    prefix=PREFIX,
    tags=["partner API (OSDI)"],
    default_response_class=osdi.HalJSONResponse,
    responses={
        401: osdi.problem("No token, or an unknown or revoked one"),
        429: osdi.problem("Over the token's limit; see Retry-After"),
    },
)

api_key = APIKeyHeader(
    name="OSDI-API-Token",
    scheme_name="OSDI-API-Token",
    auto_error=False,
    description="A token an organisation's owner issued on its API tokens page.",
)
bearer = HTTPBearer(
    scheme_name="Bearer",
    auto_error=False,
    description="The same token, as `Authorization: Bearer`.",
)

# Integers past any row or page: PostgreSQL would refuse them in a query (a 500, not a 404).
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="From 1.")]
PerPage = Annotated[
    int, Query(ge=1, le=10_000, description=f"At most {osdi.MAX_PER_PAGE} are given.")
]
PEOPLE_ONLY: dict[int | str, dict[str, Any]] = {403: osdi.problem("The token may read counts only")}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: osdi.problem("Not one the token may read")}


def _unauthorised(reason: str) -> HTTPException:
    return HTTPException(
        status_code=401, detail=reason, headers={"WWW-Authenticate": 'Bearer realm="osdi"'}
    )


def partner_token(
    request: Request,
    session: SessionDep,
    key: Annotated[str | None, Security(api_key)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> ApiToken:
    """The token the request sends, in use and within its limit; stamped as used."""
    secret = key or (credentials.credentials if credentials is not None else None)
    if not secret:
        raise _unauthorised(
            _("Send an API token in the OSDI-API-Token header or as Authorization: Bearer.")
        )
    token = api_tokens.token_for(session, secret)
    if token is None:
        raise _unauthorised(_("This API token is unknown or has been revoked."))
    limit = request.app.state.settings.partner_api_limit_per_client
    # Counted on a connection of its own, committed at once: a refused request (403, 404)
    # rolls the session back, and must still count against the token.
    limiter = Limiter(session.get_bind())  # type: ignore[arg-type]
    if not limiter.hit(limit, "partner-api", str(token.id)):
        wait = limiter.retry_after(limit, "partner-api", str(token.id))
        raise HTTPException(
            status_code=429,
            detail=_("Too many requests with this token. Try again in %(num)d seconds.", num=wait),
            headers={"Retry-After": str(wait)},
        )
    api_tokens.mark_used(session, token)
    return token


def people_token(token: Annotated[ApiToken, Depends(partner_token)]) -> ApiToken:
    """A token that may read people and signatures."""
    if token.role != ApiTokenRole.people.value:
        raise HTTPException(
            status_code=403,
            detail=_("This token may read petitions and counts only, not people or signatures."),
        )
    return token


AnyToken = Annotated[ApiToken, Depends(partner_token)]
PeopleToken = Annotated[ApiToken, Depends(people_token)]


def _base(request: Request) -> str:
    return f"{request.app.state.settings.base_url}{PREFIX}"


def _slice(page: int, per_page: int) -> tuple[int, int]:
    size = min(per_page, osdi.MAX_PER_PAGE)
    return (page - 1) * size, size


@router.get("/", response_model=osdi.EntryPoint, summary="The API entry point")
def entry_point(request: Request, token: AnyToken) -> osdi.EntryPoint:
    """Links to the collections this token may read."""
    base = _base(request)
    links: osdi.Links = {
        "self": osdi.link(f"{base}/"),
        "osdi:petitions": osdi.link(f"{base}/petitions"),
    }
    if token.role == ApiTokenRole.people.value:
        links["osdi:people"] = osdi.link(f"{base}/people")
    links["curies"] = [osdi.Link.model_validate(curie) for curie in osdi.CURIES]
    return osdi.EntryPoint(motd=_("Partner API for %(name)s", name=token.name), links=links)


@router.get("/petitions", response_model=osdi.PetitionsPage, summary="Petitions")
def petitions(
    request: Request,
    session: SessionDep,
    token: AnyToken,
    page: PageNumber = 1,
    per_page: PerPage = osdi.PER_PAGE,
) -> osdi.PetitionsPage:
    """The organisation's petitions and the coalition petitions it is a partner in, newest
    first, with their counts."""
    offset, size = _slice(page, per_page)
    found, total = partner_api.petitions_page(
        session, token.organisation_id, offset=offset, limit=size
    )
    base, site = _base(request), request.app.state.settings.base_url
    pages, links = osdi.paging(f"{base}/petitions", page=page, per_page=size, total=total)
    documents = [osdi.petition_document(p, base, site) for p in found]
    return osdi.PetitionsPage(
        total_pages=pages,
        per_page=size,
        page=page,
        total_records=total,
        links=links,
        embedded=osdi.EmbeddedPetitions(petitions=documents),
    )


def _visible(session: SessionDep, token: ApiToken, petition_id: int) -> Petition:
    petition = partner_api.petition_for(session, token.organisation_id, petition_id)
    if petition is None:
        raise HTTPException(status_code=404, detail=_("No such petition for this token."))
    return petition


@router.get(
    "/petitions/{petition_id}",
    response_model=osdi.OsdiPetition,
    responses=NOT_FOUND,
    summary="One petition",
)
def petition(
    request: Request, session: SessionDep, token: AnyToken, petition_id: RowId
) -> osdi.OsdiPetition:
    found = _visible(session, token, petition_id)
    return osdi.petition_document(found, _base(request), request.app.state.settings.base_url)


@router.get(
    "/petitions/{petition_id}/signatures",
    response_model=osdi.SignaturesPage,
    responses={**PEOPLE_ONLY, **NOT_FOUND},
    summary="A petition's signatures",
)
def signatures(
    request: Request,
    session: SessionDep,
    token: PeopleToken,
    petition_id: RowId,
    page: PageNumber = 1,
    per_page: PerPage = osdi.PER_PAGE,
) -> osdi.SignaturesPage:
    """The petition's counted signatures whose signer let the organisation contact them."""
    found = _visible(session, token, petition_id)
    offset, size = _slice(page, per_page)
    settings = request.app.state.settings
    rows, total = partner_api.signatures_page(
        session, settings, found, token.organisation_id, offset=offset, limit=size
    )
    partner_api.record_read(
        session,
        token,
        what="signatures",
        target=f"petition:{found.id}",
        page=page,
        records=len(rows),
    )
    base = _base(request)
    url = f"{base}/petitions/{found.id}/signatures"
    pages, links = osdi.paging(url, page=page, per_page=size, total=total)
    links["osdi:petition"] = osdi.link(f"{base}/petitions/{found.id}")
    return osdi.SignaturesPage(
        total_pages=pages,
        per_page=size,
        page=page,
        total_records=total,
        links=links,
        embedded=osdi.EmbeddedSignatures(
            signatures=[osdi.signature_document(row, petition_id, base) for row in rows]
        ),
    )


@router.get("/people", response_model=osdi.PeoplePage, responses=PEOPLE_ONLY, summary="People")
def people(
    request: Request,
    session: SessionDep,
    token: PeopleToken,
    page: PageNumber = 1,
    per_page: PerPage = osdi.PER_PAGE,
) -> osdi.PeoplePage:
    """Everyone who let the organisation contact them on a counted signature, once each."""
    offset, size = _slice(page, per_page)
    settings = request.app.state.settings
    found, total = partner_api.people_page(
        session, settings, token.organisation_id, offset=offset, limit=size
    )
    partner_api.record_read(
        session,
        token,
        what="people",
        target=f"organisation:{token.organisation_id}",
        page=page,
        records=len(found),
    )
    base = _base(request)
    pages, links = osdi.paging(f"{base}/people", page=page, per_page=size, total=total)
    return osdi.PeoplePage(
        total_pages=pages,
        per_page=size,
        page=page,
        total_records=total,
        links=links,
        embedded=osdi.EmbeddedPeople(people=[osdi.person_document(p, base) for p in found]),
    )


@router.get(
    "/people/{person}",
    response_model=osdi.OsdiPerson,
    responses={**PEOPLE_ONLY, **NOT_FOUND},
    summary="One person",
)
def one_person(
    request: Request,
    session: SessionDep,
    token: PeopleToken,
    person: Annotated[str, Path(max_length=64)],
) -> osdi.OsdiPerson:
    settings = request.app.state.settings
    found = partner_api.person(session, settings, token.organisation_id, person)
    if found is None:
        raise HTTPException(status_code=404, detail=_("No such person for this token."))
    partner_api.record_read(
        session,
        token,
        what="people",
        target=f"organisation:{token.organisation_id}",
        page=1,
        records=1,
    )
    return osdi.person_document(found, _base(request))
