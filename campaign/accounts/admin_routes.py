"""The organisers' pages of accounts: the audit trail, the team
(/admin/accounts: invitations, two-factor resets, deactivation) and one's own two-factor login
(/account/two-factor: turning it on, recovery codes, turning it off)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentAdmin, CurrentUser, session_cookie_name
from campaign.accounts.models import Organisation, OrgRole, Role, User
from campaign.accounts.service import invitations, two_factor
from campaign.accounts.service.accounts import list_users
from campaign.accounts.service.login import end_all_sessions, recheck_password
from campaign.accounts.service.organisations import all_organisations, organisation_names
from campaign.accounts.service.roles import role_label
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.fields import row_id
from campaign.core.i18n import _, get_locale
from campaign.core.ratelimit import Limiter, wait_message
from campaign.core.security import ip_hash
from campaign.core.web import FormData, FormErrors, redirect, render

router = APIRouter()
ACCOUNTS = "/admin/accounts"
TWO_FACTOR = "/account/two-factor"


@router.get("/admin/audit")
def audit_trail(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return render(
        request,
        "admin/audit.html",
        {"events": audit.readable(session, audit.recent_events(session, limit=500))},
        headers={"cache-control": "no-store"},
    )


def _accounts_page(
    request: Request,
    session: SessionDep,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    pending = invitations.pending_invitations(session)
    return render(
        request,
        "admin/accounts.html",
        {
            "accounts": list_users(session),
            "invitations": pending,
            "roles": [
                (Role.organiser.value, _("Organiser")),
                (Role.admin.value, _("Administrator")),
            ],
            "organisations": [(o.id, o.name) for o, _count in all_organisations(session)],
            "org_roles": [(role.value, role_label(role)) for role in OrgRole],
            "names": organisation_names(
                session, {o for i in pending if (o := i.organisation_id) is not None}
            ),
            "role_label": role_label,
            "form": form or {"role": Role.organiser.value, "org_role": OrgRole.campaigner.value},
            "errors": errors or FormErrors(),
        },
        status_code=status,
    )


@router.get(ACCOUNTS)
def accounts(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return _accounts_page(request, session)


@router.post(f"{ACCOUNTS}/invite")
def invite(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    form = {
        "email": raw.get("email", "").strip(),
        "role": raw.get("role", ""),
        "organisation_id": raw.get("organisation_id", ""),
        "org_role": raw.get("org_role", ""),
    }
    organisation, org_role = None, None
    if form["organisation_id"]:
        chosen = row_id(form["organisation_id"])
        organisation = session.get(Organisation, chosen) if chosen is not None else None
        if organisation is None:
            errors = FormErrors()
            errors.add("organisation_id", _("Choose one of the organisations."))
            return _accounts_page(request, session, form=form, errors=errors, status=400)
        org_role = OrgRole(form["org_role"]) if form["org_role"] in set(OrgRole) else None
    made = invitations.invite(
        session,
        settings=request.app.state.settings,
        by=user,
        email=form["email"],
        role=form["role"],
        locale=get_locale(),
        organisation=organisation,
        org_role=org_role,
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
    end_all_sessions(session, user=account)
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
        end_all_sessions(session, user=account)
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


def _render_two_factor(
    request: Request,
    session: SessionDep,
    user: User,
    *,
    errors: FormErrors | None = None,
    recovery_codes: list[str] | None = None,
    setup: str = "",
    status: int = 200,
) -> Response:
    settings = request.app.state.settings
    context: dict[str, object] = {
        "enabled": user.totp_enabled_at is not None,
        "is_admin": user.is_admin,
        "errors": errors or FormErrors(),
        "recovery_codes": recovery_codes or [],
    }
    if user.totp_enabled_at is None:
        secret = two_factor.setup_secret(settings, user, setup) if setup else None
        if secret is None:
            secret, setup = two_factor.new_setup(settings, user)
        issuer = settings.base_url.split("://", 1)[1]
        context["setup"] = setup
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        context["qr"] = two_factor.qr_svg(two_factor.provisioning_uri(user, secret, issuer=issuer))
    else:
        context["codes_left"] = two_factor.recovery_codes_left(session, user=user)
    return render(
        request,
        "accounts/two_factor.html",
        context,
        status_code=status,
        headers={"cache-control": "no-store"},
    )


def _password_refused(
    request: Request, session: SessionDep, user: User, raw: dict[str, str], purpose: str
) -> Response | None:
    """None when the password given again is right; otherwise the page that says why not."""
    settings = request.app.state.settings
    result = recheck_password(
        session,
        settings=settings,
        limiter=Limiter(session),
        user=user,
        password=raw.get("password", ""),
        client_hash=ip_hash(request, settings),
        purpose=purpose,
    )
    if result.user is not None:
        return None
    errors = FormErrors()
    if result.problem == "throttled":
        errors.add("password", wait_message(result.retry_after))
        return _render_two_factor(request, session, user, errors=errors, status=429)
    errors.add("password", _("This is not your password."))
    return _render_two_factor(request, session, user, errors=errors, status=400)


@router.get(TWO_FACTOR)
def two_factor_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _render_two_factor(request, session, user)


@router.post(TWO_FACTOR)
def turn_on(request: Request, session: SessionDep, user: CurrentUser, raw: FormData) -> Response:
    if user.totp_enabled_at is not None:
        return redirect(TWO_FACTOR)
    settings = request.app.state.settings
    setup = raw.get("setup", "")
    secret = two_factor.setup_secret(settings, user, setup)
    codes = (
        two_factor.confirm_setup(
            session, settings=settings, user=user, secret=secret, code=raw.get("code", "")
        )
        if secret
        else None
    )
    if codes is None:
        errors = FormErrors()
        errors.add("code", _("This code is not the one the app shows now. Try the next one."))
        return _render_two_factor(request, session, user, errors=errors, setup=setup, status=400)
    # Whoever else is logged in to this account logged in without the second factor: out.
    end_all_sessions(session, user=user, keep=request.cookies.get(session_cookie_name(settings)))
    return _render_two_factor(request, session, user, recovery_codes=codes)


@router.post(f"{TWO_FACTOR}/recovery-codes")
def renew_recovery_codes(
    request: Request, session: SessionDep, user: CurrentUser, raw: FormData
) -> Response:
    if user.totp_enabled_at is None:
        return redirect(TWO_FACTOR)
    refused = _password_refused(request, session, user, raw, "recovery_codes")
    if refused:
        return refused
    codes = two_factor.new_recovery_codes(session, settings=request.app.state.settings, user=user)
    audit.record(session, by=user, action="account.recovery_codes_renewed")
    return _render_two_factor(request, session, user, recovery_codes=codes)


@router.post(f"{TWO_FACTOR}/off")
def turn_off(request: Request, session: SessionDep, user: CurrentUser, raw: FormData) -> Response:
    if user.is_admin:
        message = _("Administrators must keep two-factor authentication on.")
        return redirect(TWO_FACTOR, flash=message, request=request)
    refused = _password_refused(request, session, user, raw, "two_factor_off")
    if refused:
        return refused
    two_factor.turn_off(session, user=user, by=user)
    return redirect(TWO_FACTOR, flash=_("Two-factor authentication is off."), request=request)
