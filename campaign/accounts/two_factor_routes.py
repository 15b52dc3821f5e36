"""/account/two-factor: turning two-factor login on, recovery codes, turning it off."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign import audit
from campaign.accounts import two_factor
from campaign.accounts.deps import CurrentOrganiser
from campaign.db import SessionDep
from campaign.i18n import _
from campaign.security import verify_password
from campaign.web import FormData, FormErrors, redirect, render

router = APIRouter(prefix="/account/two-factor")
PATH = "/account/two-factor"


def _page(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    *,
    errors: FormErrors | None = None,
    recovery_codes: list[str] | None = None,
    status: int = 200,
) -> Response:
    context: dict[str, object] = {
        "enabled": user.totp_enabled_at is not None,
        "is_admin": user.is_admin,
        "errors": errors or FormErrors(),
        "recovery_codes": recovery_codes or [],
    }
    if user.totp_enabled_at is None:
        secret = two_factor.pending_secret(session, user=user)
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
        issuer = request.app.state.settings.base_url.split("://", 1)[1]
        context["qr"] = two_factor.qr_svg(two_factor.provisioning_uri(user, secret, issuer=issuer))
    else:
        context["codes_left"] = two_factor.recovery_codes_left(session, user=user)
    return render(request, "accounts/two_factor.html", context, status_code=status)


@router.get("")
def two_factor_page(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    return _page(request, session, user)


@router.post("")
def turn_on(
    request: Request, session: SessionDep, user: CurrentOrganiser, raw: FormData
) -> Response:
    if user.totp_enabled_at is not None:
        return redirect(PATH)
    codes = two_factor.confirm_setup(
        session, settings=request.app.state.settings, user=user, code=raw.get("code", "")
    )
    if codes is None:
        errors = FormErrors()
        errors.add("code", _("This code is not the one the app shows now. Try the next one."))
        return _page(request, session, user, errors=errors, status=400)
    return _page(request, session, user, recovery_codes=codes)


@router.post("/recovery-codes")
def renew_recovery_codes(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    if user.totp_enabled_at is None:
        return redirect(PATH)
    codes = two_factor.new_recovery_codes(session, settings=request.app.state.settings, user=user)
    audit.record(session, by=user, action="account.recovery_codes_renewed")
    return _page(request, session, user, recovery_codes=codes)


@router.post("/off")
def turn_off(
    request: Request, session: SessionDep, user: CurrentOrganiser, raw: FormData
) -> Response:
    if user.is_admin:
        message = _("Administrators must keep two-factor authentication on.")
        return redirect(PATH, flash=message, request=request)
    if not verify_password(user.password_hash, raw.get("password", "")):
        errors = FormErrors()
        errors.add("password", _("This is not your password."))
        return _page(request, session, user, errors=errors, status=400)
    two_factor.turn_off(session, user=user, by=user)
    return redirect(PATH, flash=_("Two-factor authentication is off."), request=request)
