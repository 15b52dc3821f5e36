"""Volunteers' pages: sign in by e-mail link, log letters, follow people, see their own record."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session

from campaign.core.db import ReadSessionDep, SessionDep, utcnow
from campaign.core.i18n import _
from campaign.core.ratelimit import LinkRequest
from campaign.core.settings import Settings
from campaign.core.web import (
    PRIVATE,
    FormData,
    FormErrors,
    RedirectTo,
    found,
    redirect,
    render,
    safe_next,
)
from campaign.prisoners import forms
from campaign.prisoners.models import Volunteer
from campaign.prisoners.service import prisoners, reminders, sign_in, transfers, volunteers

router = APIRouter()
HOME = "/volunteer"


def cookie_name(settings: Settings) -> str:
    """`__Host-` over https binds the cookie to this exact origin."""
    return "__Host-campaign_volunteer" if settings.secure_cookies else "campaign_volunteer"


def optional_volunteer(request: Request, session: SessionDep) -> Volunteer | None:
    """The signed-in volunteer, or None."""
    return _volunteer_of(request, session)


def volunteer_for_header(request: Request, session: ReadSessionDep) -> None:
    """On a public page read from the replica: whether a volunteer is signed in, for the header
    alone (the primary is asked wherever it matters: logging, one's own page)."""
    _volunteer_of(request, session)


def _volunteer_of(request: Request, session: Session) -> Volunteer | None:
    settings = request.app.state.settings
    token = request.cookies.get(cookie_name(settings))
    if not token:
        return None
    volunteer = sign_in.volunteer_for_cookie(session, settings=settings, token=token)
    if volunteer is not None:
        # For the header: that one is signed in, with the ways out; never the address, which a
        # glance at the screen would give away (the display name is the volunteer's own choice).
        request.state.volunteer = volunteer.display_name
    return volunteer


OptionalVolunteer = Annotated[Volunteer | None, Depends(optional_volunteer)]


def current_volunteer(request: Request, volunteer: OptionalVolunteer) -> Volunteer:
    """The signed-in volunteer; others are sent to the sign-in page."""
    if volunteer is None:
        raise RedirectTo("/volunteer/signin")
    return volunteer


CurrentVolunteer = Annotated[Volunteer, Depends(current_volunteer)]


def _back_to(target: str | None) -> str:
    """Where signing in returns to: the local page it began on (a prisoner's), else one's own."""
    return safe_next(target, default=HOME)


@router.get("/volunteer/signin")
def signin_page(request: Request, session: SessionDep, token: str = "", next: str = "") -> Response:
    """The e-mail form; or, with a link's token, a button that signs in (link scanners only GET)."""
    context = {
        "form": {},
        "errors": FormErrors(),
        "token": token,
        "sent": False,
        "next": _back_to(next),
    }
    return render(request, "volunteers/signin.html", context, headers=PRIVATE)


@router.post("/volunteer/signin")
def signin(request: Request, session: SessionDep, raw: FormData) -> Response:
    settings = request.app.state.settings
    back_to = _back_to(raw.get("next"))
    if raw.get("token"):
        volunteer = sign_in.use_link(session, settings=settings, token=raw["token"])
        if volunteer is None:
            context = {
                "form": {},
                "errors": FormErrors(),
                "token": "",
                "sent": False,
                "bad": True,
                "next": back_to,
            }
            return render(
                request, "volunteers/signin.html", context, status_code=400, headers=PRIVATE
            )
        response = redirect(back_to, flash=_("You are signed in."), request=request)
        response.set_cookie(
            cookie_name(settings),
            sign_in.session_token(settings, volunteer),
            max_age=sign_in.SESSION_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
        )
        return response
    email, errors = forms.parse_email_form(raw, smtputf8=settings.smtp_utf8)
    if email is None:
        context = {"form": raw, "errors": errors, "token": "", "sent": False, "next": back_to}
        return render(request, "volunteers/signin.html", context, status_code=400, headers=PRIVATE)
    sign_in.request_link(
        session,
        settings=settings,
        asked=LinkRequest.of(request, session, email),
        back_to=back_to,
    )
    context = {"form": {}, "errors": FormErrors(), "token": "", "sent": True, "next": back_to}
    return render(request, "volunteers/signin.html", context, headers=PRIVATE)


def _my_page(
    request: Request,
    session: SessionDep,
    volunteer: Volunteer,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    today = utcnow().date()
    letters = volunteers.my_letters(session, volunteer=volunteer, today=today)
    context = {
        "volunteer": volunteer,
        "letters": letters,
        "follow_ups": [item for item in letters if item.follow_up],
        "errors": errors or FormErrors(),
        "today": today.isoformat(),
    }
    return render(request, "volunteers/me.html", context, status_code=status, headers=PRIVATE)


@router.get("/volunteer")
def my_page(request: Request, session: SessionDep, volunteer: CurrentVolunteer) -> Response:
    return _my_page(request, session, volunteer)


@router.post("/volunteer/settings")
def save_settings(
    request: Request, session: SessionDep, volunteer: CurrentVolunteer, raw: FormData
) -> Response:
    form, errors = forms.parse_settings(raw)
    if form is None:
        return _my_page(request, session, volunteer, errors, status=400)
    volunteers.save_settings(session, volunteer=volunteer, form=form)
    return redirect("/volunteer", flash=_("Your settings are saved."), request=request)


def _signed_out(request: Request, message: str) -> Response:
    response = redirect("/prisoners", flash=message, request=request)
    response.delete_cookie(
        cookie_name(request.app.state.settings),
        path="/",
        secure=request.app.state.settings.secure_cookies,
        httponly=True,
    )
    return response


@router.post("/volunteer/signout")
def signout(request: Request, session: SessionDep, volunteer: CurrentVolunteer) -> Response:
    """Sign out on every device: every cookie given so far stops working."""
    sign_in.sign_out(session, volunteer=volunteer)
    return _signed_out(request, _("You are signed out on every device."))


@router.post("/volunteer/signout/device")
def signout_here(request: Request) -> Response:
    """Sign out on this device only: its cookie is dropped, other devices stay signed in."""
    return _signed_out(request, _("You are signed out on this device."))


@router.post("/volunteer/letters/{letter_id}")
def letter_outcome(
    request: Request,
    session: SessionDep,
    volunteer: CurrentVolunteer,
    letter_id: int,
    raw: FormData,
) -> Response:
    """Mark a letter returned or answered, with the date and an optional note."""
    try:
        on = date.fromisoformat(raw.get("outcome_on", "").strip())
    except ValueError:
        on = utcnow().date()
    changed = volunteers.mark_outcome(
        session,
        volunteer=volunteer,
        letter_id=letter_id,
        state=raw.get("state", ""),
        on=min(on, utcnow().date()),
        note=raw.get("note", ""),
    )
    if not changed:
        raise HTTPException(status_code=404, detail=_("There is no such letter of yours."))
    return redirect("/volunteer", flash=_("Your changes are saved."), request=request)


@router.post("/prisoners/{slug}/follow")
def follow(
    request: Request, session: SessionDep, volunteer: CurrentVolunteer, slug: str, raw: FormData
) -> Response:
    prisoner, _facility = found(prisoners.public_prisoner(session, slug))
    volunteers.set_follow(session, volunteer=volunteer, prisoner=prisoner, on=raw.get("on") == "1")
    return redirect(f"/prisoners/{slug}", flash=_("Your changes are saved."), request=request)


@router.get("/volunteer/unsubscribe")
def unsubscribe_page(request: Request, token: str = "") -> Response:
    context = {"token": token, "done": False}
    return render(request, "volunteers/unsubscribe.html", context, headers=PRIVATE)


@router.post("/volunteer/unsubscribe")
def unsubscribe(request: Request, session: SessionDep, raw: FormData, token: str = "") -> Response:
    """One click, from the mail client (RFC 8058) or the page's button; no sign-in needed."""
    done = reminders.unsubscribe(
        session, settings=request.app.state.settings, token=token or raw.get("token", "")
    )
    context = {"token": "", "done": done, "invalid": not done}
    return render(
        request,
        "volunteers/unsubscribe.html",
        context,
        status_code=200 if done else 400,
        headers=PRIVATE,
    )


@router.get("/volunteer/unsubscribe/transfers")
def transfers_unsubscribe_page(request: Request, token: str = "") -> Response:
    context = {"token": token, "done": False, "invalid": False}
    return render(request, "volunteers/unsubscribe_transfers.html", context, headers=PRIVATE)


@router.post("/volunteer/unsubscribe/transfers")
def transfers_unsubscribe(
    request: Request, session: SessionDep, raw: FormData, token: str = ""
) -> Response:
    """One click stops the mails about transfers (RFC 8058); other reminders stay as chosen."""
    done = transfers.unsubscribe(
        session, settings=request.app.state.settings, token=token or raw.get("token", "")
    )
    context = {"token": "", "done": done, "invalid": not done}
    return render(
        request,
        "volunteers/unsubscribe_transfers.html",
        context,
        status_code=200 if done else 400,
        headers=PRIVATE,
    )
