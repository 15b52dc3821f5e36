"""An organisation's partner API tokens, for its owners (/admin/organisations/{id}/api-tokens):
issue one (shown once, on the page the issuing form leads to), see when each was last used,
revoke one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser, organisation_for, require_duty
from campaign.accounts.models import ApiToken, ApiTokenRole, Organisation
from campaign.accounts.service import api_tokens
from campaign.accounts.service.accounts import AccountError
from campaign.accounts.service.roles import Duty
from campaign.core.crypto import DecryptionError, keyring
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.security import token_digest
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render

router = APIRouter(prefix="/admin/organisations")

# The new token travels to the page after the redirect in a cookie sealed with the data keys,
# for a few minutes, and is cleared as that page shows it: a reload neither shows it again nor
# (as re-sending the form would) issues another.
SHOWN_COOKIE = "campaign_new_api_token"
SHOWN_CONTEXT = b"api_token.shown"
SHOWN_SECONDS = 300

OrganisationToManage = Annotated[Organisation, Depends(organisation_for(Duty.manage))]


def _page(
    request: Request,
    session: SessionDep,
    organisation: Organisation,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    tokens = api_tokens.tokens_of(session, organisation.id)
    context = {
        "organisation": organisation,
        "tokens": tokens,
        "roles": [(role.value, api_tokens.role_label(role)) for role in ApiTokenRole],
        "role_label": api_tokens.role_label,
        "form": form or {"role": ApiTokenRole.counts.value},
        "errors": errors or FormErrors(),
        "issued": _just_issued(request, tokens),
        "base_url": request.app.state.settings.base_url,
    }
    response = render(
        request,
        "admin/organisations/api_tokens.html",
        context,
        status_code=status,
        headers=NO_STORE,
    )
    if SHOWN_COOKIE in request.cookies:
        response.delete_cookie(SHOWN_COOKIE, path=_back(organisation))
    return response


def _just_issued(request: Request, tokens: list[ApiToken]) -> tuple[str, str] | None:
    """(name, token) of the token this browser has just issued, if it is still in use."""
    sealed = request.cookies.get(SHOWN_COOKIE, "")
    try:
        secret = keyring().decrypt(sealed, SHOWN_CONTEXT).decode() if sealed else ""
    except DecryptionError:
        return None
    digest = token_digest(secret)
    found = (t for t in tokens if t.token_hash == digest and t.revoked_at is None)
    return next(((t.name, secret) for t in found), None)


def _back(organisation: Organisation) -> str:
    return f"/admin/organisations/{organisation.id}/api-tokens"


@router.get("/{organisation_id}/api-tokens")
def tokens_page(
    request: Request, session: SessionDep, organisation: OrganisationToManage
) -> Response:
    return _page(request, session, organisation)


@router.post("/{organisation_id}/api-tokens")
def issue(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    raw: FormData,
) -> Response:
    """A new token, handed to the next page sealed in a cookie (see SHOWN_COOKIE)."""
    form = {"name": raw.get("name", ""), "role": raw.get("role", "")}
    errors = FormErrors()
    try:
        role = ApiTokenRole(form["role"])
    except ValueError:
        errors.add("role", _("Choose what the token may read."))
        return _page(request, session, organisation, form=form, errors=errors, status=400)
    if role is ApiTokenRole.people:
        # Supporters' names and addresses leave through it: a data steward's duty, with its
        # second factor (owners hold it too).
        require_duty(session, user, organisation.id, Duty.steward)  # type: ignore[arg-type]
    try:
        issued = api_tokens.issue_token(
            session, organisation=organisation, name=form["name"], role=role, by=user
        )
    except AccountError as exc:
        errors.add(exc.field, exc.message)
        return _page(request, session, organisation, form=form, errors=errors, status=400)
    settings = request.app.state.settings
    response = redirect(_back(organisation))
    response.set_cookie(
        SHOWN_COOKIE,
        keyring().encrypt(issued.secret.encode(), SHOWN_CONTEXT),
        max_age=SHOWN_SECONDS,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path=_back(organisation),
    )
    return response


@router.post("/{organisation_id}/api-tokens/revoke")
def revoke(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    raw: FormData,
) -> Response:
    """Revoke a token (named by the form, so the page needs no id in its address)."""
    token_id = raw.get("token_id", "")
    revoked = (
        api_tokens.revoke_token(session, organisation=organisation, token_id=int(token_id), by=user)
        if token_id.isdigit() and len(token_id) < 10
        else None
    )
    message = (
        _("The token %(name)s is revoked: it no longer opens the API.", name=revoked.name)
        if revoked is not None
        else _("This token is already revoked or not found.")
    )
    return redirect(_back(organisation), flash=message, request=request)
