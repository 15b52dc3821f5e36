"""Login, logout and the organiser area's first pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from campaign import audit
from campaign.accounts import service
from campaign.accounts.deps import CurrentAdmin, CurrentOrganiser, OptionalUser, session_cookie_name
from campaign.db import SessionDep
from campaign.i18n import _, ngettext
from campaign.ratelimit import Limiter
from campaign.security import csrf_cookie_name, ip_hash
from campaign.web import FormErrors, redirect, render, safe_next

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
    password: Annotated[str, Form(max_length=service.MAX_PASSWORD_LENGTH)] = "",
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
        result = service.log_in(
            session,
            settings=settings,
            limiter=Limiter(session),
            email=email,
            password=password,
            client_hash=ip_hash(request, settings),
        )
        if result.user is not None:
            old = request.cookies.get(session_cookie_name(settings))
            if old:
                service.end_session(session, token=old)
            token = service.start_session(session, user=result.user, settings=settings)
            response = redirect(safe_next(next))
            # A new CSRF secret with the new session: a token seen before login is worthless.
            response.delete_cookie(
                csrf_cookie_name(settings), path="/", secure=settings.secure_cookies, httponly=True
            )
            response.set_cookie(
                session_cookie_name(settings),
                token,
                max_age=settings.session_max_age_hours * 3600,
                httponly=True,
                samesite="lax",
                secure=settings.secure_cookies,
                path="/",
            )
            return response
        if result.problem == "throttled":
            minutes = max(1, (result.retry_after + 59) // 60)
            errors.add(
                "form",
                ngettext(
                    "Too many attempts. Try again in %(num)d minute.",
                    "Too many attempts. Try again in %(num)d minutes.",
                    minutes,
                ),
            )
            status = 429
        else:
            errors.add("form", _("Wrong e-mail address or password."))
    return render(
        request,
        "accounts/login.html",
        {"next": safe_next(next), "form": {"email": email}, "errors": errors},
        status_code=status,
    )


@router.post("/logout")
def logout(request: Request, session: SessionDep) -> Response:
    settings = request.app.state.settings
    token = request.cookies.get(session_cookie_name(settings))
    if token:
        service.end_session(session, token=token)
    response = redirect("/login", flash=_("You are logged out."), request=request)
    response.delete_cookie(
        session_cookie_name(settings), path="/", secure=settings.secure_cookies, httponly=True
    )
    return response


@router.get("/admin")
def dashboard(request: Request, user: CurrentOrganiser) -> Response:
    return render(request, "admin/dashboard.html", {"user": user})


@router.get("/admin/accounts")
def accounts(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return render(request, "admin/accounts.html", {"accounts": service.list_users(session)})


@router.get("/admin/audit")
def audit_trail(request: Request, session: SessionDep, user: CurrentAdmin) -> Response:
    return render(
        request,
        "admin/audit.html",
        {"events": audit.recent_events(session, limit=500)},
        headers={"cache-control": "no-store"},
    )
