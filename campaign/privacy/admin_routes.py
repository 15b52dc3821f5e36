"""/admin/privacy: an administrator answers a request for access or erasure that came by
letter or e-mail; /admin/organisations/{id}/privacy: an organisation's data stewards (and
owners) answer it for what their organisation's campaigns hold, and an erasure there erases
everywhere. The address is typed into a form (never a URL); the audit trail records who did it
and a short reference of the address's keyed hash, not the address."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentAdmin, CurrentOrganiser, organisation_for
from campaign.accounts.models import Organisation, User
from campaign.accounts.service.organisations import memberships
from campaign.accounts.service.roles import Duty
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.fields import check_email
from campaign.core.i18n import _
from campaign.core.security import email_index
from campaign.core.web import PRIVATE, FormData, FormErrors, render
from campaign.privacy import service as privacy
from campaign.privacy.routes import json_download

router = APIRouter(prefix="/admin/privacy")
organisation_router = APIRouter(prefix="/admin/organisations/{organisation_id}/privacy")

OrganisationData = Annotated[Organisation, Depends(organisation_for(Duty.steward))]


def _page(request: Request, context: dict[str, object], status_code: int = 200) -> Response:
    base: dict[str, object] = {"form": {}, "errors": FormErrors(), "action": "/admin/privacy"}
    return render(
        request, "admin/privacy.html", base | context, status_code=status_code, headers=PRIVATE
    )


def _address(request: Request, raw: dict[str, str]) -> tuple[str, str, FormErrors]:
    """The typed address, its blind index, and the errors to show next to it."""
    # A look-up, not a mailing: any address a supporter could have given must be found.
    email, problem = check_email(raw.get("email", ""), smtputf8=True)
    errors = FormErrors()
    if problem:
        errors.add("email", problem)
    return email, email_index(request.app.state.settings, email), errors


def _recorded_address(
    request: Request,
    session: SessionDep,
    user: User,
    raw: dict[str, str],
    action: str,
    organisation_id: int | None = None,
) -> tuple[str, str, FormErrors]:
    """The address as _address gives it, its look-up recorded in the audit trail when valid."""
    email, index, errors = _address(request, raw)
    if not errors:
        audit.record(
            session,
            by=user,
            action=action,
            organisation_id=organisation_id,
            reference=privacy.reference(index),
        )
    return email, index, errors


def _admin_sees(session: SessionDep, user: User, index: str) -> privacy.Holdings:
    """What an administrator is shown: what no organisation owns, and what their own
    organisations' campaigns hold; another organisation's supporters are its stewards' to see."""
    names = [organisation.name for organisation, _role in memberships(session, user)]
    return privacy.holdings_of_organisations(session, index, names, shared=True)


@router.get("")
def privacy_requests(request: Request, user: CurrentAdmin) -> Response:
    return _page(request, {})


@router.post("")
def look_up(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    email, index, errors = _recorded_address(request, session, user, raw, "privacy.looked_up")
    if errors:
        return _page(request, {"form": raw, "errors": errors}, status_code=400)
    context = {"form": {"email": email}, "held": _admin_sees(session, user, index)}
    return _page(request, context | {"reference": privacy.reference(index)})


@router.post("/download")
def download(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    _email, index, errors = _recorded_address(request, session, user, raw, "privacy.exported")
    if errors:
        return _page(request, {"form": raw, "errors": errors}, status_code=400)
    return json_download(_admin_sees(session, user, index))


@router.post("/erase")
def erase(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    email, index, errors = _address(request, raw)
    if not errors and raw.get("confirm") != "1":
        errors.add("confirm", _("Tick the box to confirm that everything should be erased."))
    if errors:
        held = _admin_sees(session, user, index)
        context = {"form": {"email": email}, "errors": errors, "held": held}
        return _page(request, context | {"reference": privacy.reference(index)}, status_code=400)
    privacy.erase(session, index, by=user)
    return _page(request, {"erased": True, "reference": privacy.reference(index)})


# -- the same, for one organisation's data stewards ------------------------------------------------


def _organisation_page(
    request: Request, organisation: Organisation, context: dict[str, object], status: int = 200
) -> Response:
    scoped = {
        "action": f"/admin/organisations/{organisation.id}/privacy",
        "organisation": organisation,
    }
    return _page(request, scoped | context, status_code=status)


@organisation_router.get("")
def organisation_requests(request: Request, organisation: OrganisationData) -> Response:
    return _organisation_page(request, organisation, {})


@organisation_router.post("")
def organisation_look_up(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationData,
    raw: FormData,
) -> Response:
    email, index, errors = _recorded_address(
        request, session, user, raw, "privacy.looked_up", organisation.id
    )
    if errors:
        return _organisation_page(request, organisation, {"form": raw, "errors": errors}, 400)
    held = privacy.holdings_of_organisation(session, index, organisation.name)
    context = {"form": {"email": email}, "held": held, "reference": privacy.reference(index)}
    return _organisation_page(request, organisation, context)


@organisation_router.post("/download")
def organisation_download(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationData,
    raw: FormData,
) -> Response:
    _email, index, errors = _recorded_address(
        request, session, user, raw, "privacy.exported", organisation.id
    )
    if errors:
        return _organisation_page(request, organisation, {"form": raw, "errors": errors}, 400)
    return json_download(privacy.holdings_of_organisation(session, index, organisation.name))


@organisation_router.post("/erase")
def organisation_erase(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationData,
    raw: FormData,
) -> Response:
    """An erasure asked of one organisation erases the address everywhere on the install."""
    email, index, errors = _address(request, raw)
    if not errors and raw.get("confirm") != "1":
        errors.add("confirm", _("Tick the box to confirm that everything should be erased."))
    if errors:
        held = privacy.holdings_of_organisation(session, index, organisation.name)
        context = {"form": {"email": email}, "errors": errors, "held": held}
        context["reference"] = privacy.reference(index)
        return _organisation_page(request, organisation, context, 400)
    privacy.erase(session, index, by=user, organisation_id=organisation.id)
    context = {"erased": True, "reference": privacy.reference(index)}
    return _organisation_page(request, organisation, context)
