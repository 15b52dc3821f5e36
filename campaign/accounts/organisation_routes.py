"""Organisations in the organiser area: one's own organisations and roles (/admin/organisations;
site administrators also create organisations there), and for an organisation's owners its
members page (add or invite, change a role, remove, withdraw an invitation) and its own audit
trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentAdmin, CurrentOrganiser, organisation_for
from campaign.accounts.models import Organisation, OrgRole
from campaign.accounts.service import invitations, members
from campaign.accounts.service.accounts import AccountError
from campaign.accounts.service.organisations import (
    all_organisations,
    create_organisation,
    memberships,
    record_event,
)
from campaign.accounts.service.roles import Duty, role_label
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.fields import check_email
from campaign.core.i18n import _, get_locale
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render

router = APIRouter(prefix="/admin/organisations")

OrganisationToManage = Annotated[Organisation, Depends(organisation_for(Duty.manage))]


def _role_choices() -> list[tuple[str, str]]:
    return [(role.value, role_label(role)) for role in OrgRole]


def _chosen_role(raw: dict[str, str], errors: FormErrors) -> OrgRole | None:
    try:
        return OrgRole(raw.get("role", ""))
    except ValueError:
        errors.add("role", _("Choose a role."))
        return None


# -- one's organisations; administrators create them --------------------------------------------


def _list_page(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    context = {
        "mine": memberships(session, user),
        "everyone": all_organisations(session) if user.is_admin else [],
        "role_label": role_label,
        "roles": _role_choices(),
        "form": form or {"role": OrgRole.owner.value},
        "errors": errors or FormErrors(),
    }
    return render(
        request, "admin/organisations/list.html", context, status_code=status, headers=NO_STORE
    )


@router.get("")
def organisations(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    return _list_page(request, session, user)


@router.post("")
def create(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    """A new organisation and its first owner (an account, or someone invited)."""
    form = {"name": raw.get("name", ""), "owner": raw.get("owner", "").strip()}
    errors = FormErrors()
    settings = request.app.state.settings
    _address, problem = check_email(form["owner"], smtputf8=settings.smtp_utf8)
    if problem:
        errors.add("owner", problem)
        # Checked before anything is stored: the page's transaction commits on a 400 too.
        return _list_page(request, session, user, form, errors, status=400)
    try:
        organisation = create_organisation(session, form["name"])
    except AccountError as exc:
        errors.add(exc.field, exc.message)
        return _list_page(request, session, user, form, errors, status=400)
    record_event(
        session,
        by=user,
        action="organisation.created",
        organisation=organisation,
        name=organisation.name,
    )
    members.add_or_invite(
        session,
        settings=settings,
        organisation=organisation,
        email=form["owner"],
        role=OrgRole.owner,
        by=user,
        locale=get_locale(),
    )
    message = _("%(name)s is created.", name=organisation.name)
    return redirect("/admin/organisations", flash=message, request=request)


# -- an organisation's members, for its owners ---------------------------------------------------


def _members_page(
    request: Request,
    session: SessionDep,
    organisation: Organisation,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    context = {
        "organisation": organisation,
        "members": members.members_of(session, organisation.id),  # type: ignore[arg-type]
        "invitations": invitations.pending_invitations(session, organisation.id),
        "roles": _role_choices(),
        "role_label": role_label,
        "described": [members.describe(role) for role in OrgRole],
        "form": form or {"role": OrgRole.campaigner.value},
        "errors": errors or FormErrors(),
    }
    return render(
        request,
        "admin/organisations/members.html",
        context,
        status_code=status,
        headers=NO_STORE,
    )


def _back(organisation: Organisation) -> str:
    return f"/admin/organisations/{organisation.id}"


@router.get("/{organisation_id}")
def members_page(
    request: Request, session: SessionDep, organisation: OrganisationToManage
) -> Response:
    return _members_page(request, session, organisation)


@router.post("/{organisation_id}/members")
def add_member(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    raw: FormData,
) -> Response:
    """Add an existing account at once, or invite anyone else, with a role."""
    form = {"email": raw.get("email", "").strip(), "role": raw.get("role", "")}
    errors = FormErrors()
    role = _chosen_role(form, errors)
    if role is None:
        return _members_page(request, session, organisation, form, errors, status=400)
    try:
        done = members.add_or_invite(
            session,
            settings=request.app.state.settings,
            organisation=organisation,
            email=form["email"],
            role=role,
            by=user,
            locale=get_locale(),
        )
    except AccountError as exc:
        errors.add(exc.field if exc.field in ("email", "role") else "email", exc.message)
        return _members_page(request, session, organisation, form, errors, status=400)
    values = {"email": form["email"], "role": role_label(role), "organisation": organisation.name}
    message = (
        _("%(email)s is now %(role)s in %(organisation)s.", **values)
        if done == "added"
        else _(
            "An invitation to join %(organisation)s as %(role)s is on its way to %(email)s.",
            **values,
        )
    )
    return redirect(_back(organisation), flash=message, request=request)


@router.post("/{organisation_id}/members/{account_id}/role")
def change_role(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    account_id: int,
    raw: FormData,
) -> Response:
    errors = FormErrors()
    role = _chosen_role(raw, errors)
    if role is None:
        return _members_page(request, session, organisation, None, errors, status=400)
    try:
        member = members.change_role(
            session, organisation=organisation, account_id=account_id, role=role, by=user
        )
    except AccountError as exc:
        return redirect(_back(organisation), flash=exc.message, request=request)
    message = _("%(email)s is now %(role)s.", email=member.email, role=role_label(role))
    return redirect(_back(organisation), flash=message, request=request)


@router.post("/{organisation_id}/members/{account_id}/remove")
def remove_member(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    account_id: int,
) -> Response:
    try:
        email = members.remove_member(
            session, organisation=organisation, account_id=account_id, by=user
        )
    except AccountError as exc:
        return redirect(_back(organisation), flash=exc.message, request=request)
    message = _(
        "%(email)s is no longer a member of %(organisation)s.",
        email=email,
        organisation=organisation.name,
    )
    return redirect(_back(organisation), flash=message, request=request)


@router.post("/{organisation_id}/invitations/{invitation_id}/withdraw")
def withdraw_invitation(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    invitation_id: int,
) -> Response:
    done = invitations.withdraw(
        session, invitation_id=invitation_id, by=user, organisation_id=organisation.id
    )
    message = (
        _("The invitation is withdrawn.")
        if done
        else _("This invitation is already used, withdrawn or not found.")
    )
    return redirect(_back(organisation), flash=message, request=request)


@router.get("/{organisation_id}/audit")
def audit_trail(
    request: Request, session: SessionDep, organisation: OrganisationToManage
) -> Response:
    """The organisation's own trail: what its members (and administrators) did to its campaigns
    and members."""
    context = {
        "events": audit.readable(
            session, audit.recent_events(session, limit=500, organisation_id=organisation.id)
        ),
        "organisation": organisation,
    }
    return render(request, "admin/audit.html", context, headers=NO_STORE)
