"""The pages anyone reaches: logging in (password, then the second step), logging out, and
accepting an invitation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from campaign.accounts.deps import OptionalUser, session_cookie_name
from campaign.accounts.login_flow import known_device, logged_in, pending_token, pending_user
from campaign.accounts.service import invitations, two_factor
from campaign.accounts.service.accounts import MAX_PASSWORD_LENGTH
from campaign.accounts.service.login import end_session, finish_login, log_in
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.ratelimit import Limiter, wait_message
from campaign.core.security import ip_hash
from campaign.core.web import FormData, FormErrors, redirect, render, safe_next

router = APIRouter()


@router.get("/login")
def login_page(request: Request, user: OptionalUser, next: str = "/admin") -> Response:
    if user is not None:
        return redirect(safe_next(next))
    return render(request, "accounts/login.html", {"next": safe_next(next), "form": {}})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/admin",
) -> Response:
    settings = request.app.state.settings
    errors = FormErrors()
    if not email.strip():
        errors.add("email", _("Enter your e-mail address."))
    if not password:
        errors.add("password", _("Enter your password."))
    status = 400
    if not errors:
        result = log_in(
            session,
            settings=settings,
            limiter=Limiter(session),
            email=email,
            password=password,
            client_hash=ip_hash(request, settings),
            device=known_device(request, settings),
        )
        if result.user is not None and result.user.totp_enabled_at is not None:
            return _code_page(request, pending_token(settings, result.user), next, FormErrors())
        if result.user is not None:
            finish_login(session, user=result.user)
            return logged_in(request, session, result.user, next)
        if result.problem == "throttled":
            errors.add("form", wait_message(result.retry_after))
            status = 429
        else:
            errors.add("form", _("Wrong e-mail address or password."))
    return render(
        request,
        "accounts/login.html",
        {"next": safe_next(next), "form": {"email": email}, "errors": errors},
        status_code=status,
    )


def _code_page(
    request: Request, pending: str, next: str, errors: FormErrors, status: int = 200
) -> Response:
    return render(
        request,
        "accounts/login_code.html",
        {"pending": pending, "next": safe_next(next), "errors": errors},
        status_code=status,
        headers={"cache-control": "no-store"},
    )


@router.post("/login/code")
def login_code(
    request: Request,
    session: SessionDep,
    pending: Annotated[str, Form(max_length=500)] = "",
    code: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/admin",
) -> Response:
    settings = request.app.state.settings
    user = pending_user(session, settings, pending)
    errors = FormErrors()
    if user is None:
        errors.add("form", _("Too much time passed since you gave your password. Log in again."))
        return render(
            request,
            "accounts/login.html",
            {"next": safe_next(next), "form": {}, "errors": errors},
            status_code=400,
        )
    limiter = Limiter(session)
    limit = settings.login_limit_per_account
    if not limiter.hit(limit, "login-code", str(user.id)):
        errors.add("code", wait_message(limiter.retry_after(limit, "login-code", str(user.id))))
        return _code_page(request, pending, next, errors, status=429)
    if not two_factor.verify(session, settings=settings, user=user, code=code):
        audit.record(session, by=user, action="account.code_failed")
        errors.add("code", _("This code is not right, or was used already. Try the next one."))
        return _code_page(request, pending, next, errors, status=400)
    limiter.clear(limit, "login-code", str(user.id))
    finish_login(session, user=user)
    return logged_in(request, session, user, next)


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    token = request.cookies.get(session_cookie_name(settings))
    if token:
        end_session(session, token=token)
    response = redirect("/login", flash=_("You are logged out."), request=request)
    response.delete_cookie(
        session_cookie_name(settings), path="/", secure=settings.secure_cookies, httponly=True
    )
    return response


@router.get("/invitation")
def invitation_page(request: Request, session: SessionDep, token: str = "") -> Response:
    invitation = invitations.open_invitation(session, token=token)
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": invitation,
            "joining": invitations.joining(session, invitation),
            "token": token,
            "errors": FormErrors(),
            "form": {},
        },
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
                "joining": invitations.joining(session, invitation),
                "token": token,
                "errors": made,
                "form": {"name": raw.get("name", "")},
            },
            status_code=400,
            headers={"cache-control": "no-store"},
        )
    audit.record(session, by=made, action="account.login")
    # Administrators, and owners and stewards (who see supporters' names), set up two-factor
    # login first.
    needs_two_factor = made.is_admin or invitations.sees_personal_data(invitation)
    target = "/account/two-factor" if needs_two_factor else "/admin"
    return logged_in(request, session, made, target)
