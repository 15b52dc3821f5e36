"""/admin/privacy: an administrator answers a request for access or erasure that came by
letter or e-mail; /admin/organisations/{id}/privacy: an organisation's data stewards (and
owners) answer it for what their organisation's campaigns hold, and an erasure there erases
everywhere. The address is typed into a form (never a URL); the audit trail records who did it
and a short reference of the address's keyed hash, not the address."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Desk:
    """Who answers a request, and what they are shown: an administrator for the install, or an
    organisation's data stewards for their own campaigns. Erasure is everywhere from both."""

    sees: Callable[[str], privacy.Holdings]
    page: dict[str, object] = field(default_factory=dict)  # the form's address, the heading
    organisation_id: int | None = None


def _admin_desk(session: SessionDep, user: User) -> Desk:
    """An administrator is shown what no organisation owns, and what their own organisations'
    campaigns hold; another organisation's supporters are its stewards' to see."""
    names = [organisation.name for organisation, _role in memberships(session, user)]
    return Desk(lambda index: privacy.holdings_of_organisations(session, index, names, shared=True))


def _organisation_desk(session: SessionDep, organisation: Organisation) -> Desk:
    return Desk(
        lambda index: privacy.holdings_of_organisation(session, index, organisation.name),
        {"action": f"/admin/organisations/{organisation.id}/privacy", "organisation": organisation},
        organisation.id,
    )


def _show(request: Request, desk: Desk, context: dict[str, object], status: int = 200) -> Response:
    return _page(request, desk.page | context, status_code=status)


def _look_up(
    request: Request, session: SessionDep, user: User, raw: dict[str, str], desk: Desk
) -> Response:
    email, index, errors = _recorded_address(
        request, session, user, raw, "privacy.looked_up", desk.organisation_id
    )
    if errors:
        return _show(request, desk, {"form": raw, "errors": errors}, 400)
    context = {"form": {"email": email}, "held": desk.sees(index)}
    return _show(request, desk, context | {"reference": privacy.reference(index)})


def _download(
    request: Request, session: SessionDep, user: User, raw: dict[str, str], desk: Desk
) -> Response:
    _email, index, errors = _recorded_address(
        request, session, user, raw, "privacy.exported", desk.organisation_id
    )
    if errors:
        return _show(request, desk, {"form": raw, "errors": errors}, 400)
    return json_download(desk.sees(index))


def _erase(
    request: Request, session: SessionDep, user: User, raw: dict[str, str], desk: Desk
) -> Response:
    """Erase the address everywhere on the install, whoever answers."""
    email, index, errors = _address(request, raw)
    if not errors and raw.get("confirm") != "1":
        errors.add("confirm", _("Tick the box to confirm that everything should be erased."))
    reference = privacy.reference(index)
    if errors:
        context = {"form": {"email": email}, "errors": errors, "held": desk.sees(index)}
        return _show(request, desk, context | {"reference": reference}, 400)
    privacy.erase(session, index, by=user, organisation_id=desk.organisation_id)
    return _show(request, desk, {"erased": True, "reference": reference})


@router.get("")
def privacy_requests(request: Request, user: CurrentAdmin) -> Response:
    return _page(request, {})


@router.post("")
def look_up(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    return _look_up(request, session, user, raw, _admin_desk(session, user))


@router.post("/download")
def download(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    return _download(request, session, user, raw, _admin_desk(session, user))


@router.post("/erase")
def erase(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    return _erase(request, session, user, raw, _admin_desk(session, user))


# -- the same, for one organisation's data stewards ------------------------------------------------


@organisation_router.get("")
def organisation_requests(
    request: Request, session: SessionDep, organisation: OrganisationData
) -> Response:
    return _show(request, _organisation_desk(session, organisation), {})


@organisation_router.post("")
def organisation_look_up(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationData,
    raw: FormData,
) -> Response:
    return _look_up(request, session, user, raw, _organisation_desk(session, organisation))


@organisation_router.post("/download")
def organisation_download(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationData,
    raw: FormData,
) -> Response:
    return _download(request, session, user, raw, _organisation_desk(session, organisation))


@organisation_router.post("/erase")
def organisation_erase(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationData,
    raw: FormData,
) -> Response:
    """An erasure asked of one organisation erases the address everywhere on the install."""
    return _erase(request, session, user, raw, _organisation_desk(session, organisation))
