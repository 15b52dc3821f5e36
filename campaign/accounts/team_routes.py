"""/admin/accounts (invitations, two-factor resets, deactivation) and /invitation for invitees."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.accounts import invitations, service, two_factor
from campaign.accounts.deps import CurrentAdmin
from campaign.accounts.login_flow import logged_in
from campaign.accounts.models import Role, User
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.i18n import _, get_locale
from campaign.core.web import FormData, FormErrors, redirect, render

router = APIRouter()
ACCOUNTS = "/admin/accounts"


def _accounts_page(
    request: Request,
    session: SessionDep,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "admin/accounts.html",
        {
            "accounts": service.list_users(session),
            "invitations": invitations.pending_invitations(session),
            "roles": [
                (Role.organiser.value, _("Organiser")),
                (Role.admin.value, _("Administrator")),
            ],
            "form": form or {"role": Role.organiser.value},
            "errors": errors or FormErrors(),
        },
        status_code=status,
    )


@router.get(ACCOUNTS)
def accounts(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return _accounts_page(request, session)


@router.post(f"{ACCOUNTS}/invite")
def invite(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    form = {"email": raw.get("email", "").strip(), "role": raw.get("role", "")}
    made = invitations.invite(
        session,
        settings=request.app.state.settings,
        by=user,
        email=form["email"],
        role=form["role"],
        locale=get_locale(),
    )
    if made.errors:
        return _accounts_page(request, session, form=form, errors=made.errors, status=400)
    message = _("The invitation is on its way to %(email)s.", email=form["email"])
    return redirect(ACCOUNTS, flash=message, request=request)


@router.post(f"{ACCOUNTS}/invitations/{{invitation_id}}/withdraw")
def withdraw(
    request: Request, session: SessionDep, user: CurrentAdmin, invitation_id: int
) -> Response:
    done = invitations.withdraw(session, invitation_id=invitation_id, by=user)
    message = _("The invitation is withdrawn.") if done else _("This invitation is already used.")
    return redirect(ACCOUNTS, flash=message, request=request)


def _other_account(session: SessionDep, user: User, account_id: int) -> User | None:
    account = session.get(User, account_id)
    return account if account is not None and account.id != user.id else None


@router.post(f"{ACCOUNTS}/{{account_id}}/two-factor/reset")
def reset_two_factor(
    request: Request, session: SessionDep, user: CurrentAdmin, account_id: int
) -> Response:
    account = _other_account(session, user, account_id)
    if account is None:
        return redirect(
            ACCOUNTS, flash=_("You cannot do this to your own account."), request=request
        )
    two_factor.turn_off(session, user=account, by=user)
    service.end_all_sessions(session, user=account)
    message = _(
        "Two-factor authentication is off for %(email)s; they can set it up again.",
        email=account.email,
    )
    return redirect(ACCOUNTS, flash=message, request=request)


@router.post(f"{ACCOUNTS}/{{account_id}}/active")
def set_active(
    request: Request, session: SessionDep, user: CurrentAdmin, account_id: int, raw: FormData
) -> Response:
    account = _other_account(session, user, account_id)
    if account is None:
        return redirect(
            ACCOUNTS, flash=_("You cannot do this to your own account."), request=request
        )
    account.is_active = raw.get("active") == "1"
    session.add(account)
    if not account.is_active:
        service.end_all_sessions(session, user=account)
        invitations.withdraw_all_from(session, user=account)
    audit.record(
        session, by=user, action="account.active", account=account.email, active=account.is_active
    )
    message = (
        _("%(email)s can log in again.", email=account.email)
        if account.is_active
        else _("%(email)s can no longer log in.", email=account.email)
    )
    return redirect(ACCOUNTS, flash=message, request=request)


@router.get("/invitation")
def invitation_page(request: Request, session: SessionDep, token: str = "") -> Response:
    invitation = invitations.open_invitation(session, token=token)
    return render(
        request,
        "accounts/invitation.html",
        {"invitation": invitation, "token": token, "errors": FormErrors(), "form": {}},
        status_code=200 if invitation else 404,
        headers={"cache-control": "no-store", "referrer-policy": "no-referrer"},
    )


@router.post("/invitation")
def accept_invitation(request: Request, session: SessionDep, raw: FormData) -> Response:
    token = raw.get("token", "")
    invitation = invitations.open_invitation(session, token=token)
    if invitation is None:
        return render(
            request,
            "accounts/invitation.html",
            {"invitation": None, "token": "", "errors": FormErrors(), "form": {}},
            status_code=404,
        )
    made = invitations.accept(
        session,
        invitation=invitation,
        name=raw.get("name", ""),
        password=raw.get("password", ""),
        repeated=raw.get("repeat", ""),
    )
    if isinstance(made, FormErrors):
        return render(
            request,
            "accounts/invitation.html",
            {
                "invitation": invitation,
                "token": token,
                "errors": made,
                "form": {"name": raw.get("name", "")},
            },
            status_code=400,
            headers={"cache-control": "no-store"},
        )
    audit.record(session, by=made, action="account.login")
    target = "/account/two-factor" if made.is_admin else "/admin"
    return logged_in(request, session, made, target)
