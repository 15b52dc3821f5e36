"""An organisation's partner API tokens, for its owners (/admin/organisations/{id}/api-tokens):
issue one (the token is shown on the answer to that POST and never again), see when each was
last used, revoke one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser, organisation_for, require_duty
from campaign.accounts.models import ApiTokenRole, Organisation
from campaign.accounts.service import api_tokens
from campaign.accounts.service.accounts import AccountError
from campaign.accounts.service.roles import Duty
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render

router = APIRouter(prefix="/admin/organisations")

OrganisationToManage = Annotated[Organisation, Depends(organisation_for(Duty.manage))]


def _page(
    request: Request,
    session: SessionDep,
    organisation: Organisation,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    issued: api_tokens.Issued | None = None,
    status: int = 200,
) -> Response:
    context = {
        "organisation": organisation,
        "tokens": api_tokens.tokens_of(session, organisation.id),
        "roles": [(role.value, api_tokens.role_label(role)) for role in ApiTokenRole],
        "role_label": api_tokens.role_label,
        "form": form or {"role": ApiTokenRole.counts.value},
        "errors": errors or FormErrors(),
        "issued": issued,
        "base_url": request.app.state.settings.base_url,
    }
    return render(
        request,
        "admin/organisations/api_tokens.html",
        context,
        status_code=status,
        headers=NO_STORE,
    )


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
    """A new token, shown on this answer only: no redirect could carry it without storing it."""
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
    return _page(request, session, organisation, issued=issued)


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
