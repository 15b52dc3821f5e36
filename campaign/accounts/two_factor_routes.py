"""/account/two-factor: turning two-factor login on, recovery codes, turning it off."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.accounts import service, two_factor
from campaign.accounts.deps import CurrentUser, session_cookie_name
from campaign.accounts.models import User
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.ratelimit import Limiter, wait_message
from campaign.core.security import ip_hash
from campaign.core.web import FormData, FormErrors, redirect, render

router = APIRouter(prefix="/account/two-factor")
PATH = "/account/two-factor"


def _page(
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
    result = service.recheck_password(
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
        return _page(request, session, user, errors=errors, status=429)
    errors.add("password", _("This is not your password."))
    return _page(request, session, user, errors=errors, status=400)


@router.get("")
def two_factor_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    return _page(request, session, user)


@router.post("")
def turn_on(request: Request, session: SessionDep, user: CurrentUser, raw: FormData) -> Response:
    if user.totp_enabled_at is not None:
        return redirect(PATH)
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
        return _page(request, session, user, errors=errors, setup=setup, status=400)
    # Whoever else is logged in to this account logged in without the second factor: out.
    service.end_all_sessions(
        session, user=user, keep=request.cookies.get(session_cookie_name(settings))
    )
    return _page(request, session, user, recovery_codes=codes)


@router.post("/recovery-codes")
def renew_recovery_codes(
    request: Request, session: SessionDep, user: CurrentUser, raw: FormData
) -> Response:
    if user.totp_enabled_at is None:
        return redirect(PATH)
    refused = _password_refused(request, session, user, raw, "recovery_codes")
    if refused:
        return refused
    codes = two_factor.new_recovery_codes(session, settings=request.app.state.settings, user=user)
    audit.record(session, by=user, action="account.recovery_codes_renewed")
    return _page(request, session, user, recovery_codes=codes)


@router.post("/off")
def turn_off(request: Request, session: SessionDep, user: CurrentUser, raw: FormData) -> Response:
    if user.is_admin:
        message = _("Administrators must keep two-factor authentication on.")
        return redirect(PATH, flash=message, request=request)
    refused = _password_refused(request, session, user, raw, "two_factor_off")
    if refused:
        return refused
    two_factor.turn_off(session, user=user, by=user)
    return redirect(PATH, flash=_("Two-factor authentication is off."), request=request)
