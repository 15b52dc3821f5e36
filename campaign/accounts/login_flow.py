"""The end of a login: a new session cookie, a fresh CSRF secret, and the browser remembered.

The device cookie marks a browser that has logged in to an account before. Failed logins from
elsewhere lock the account only for browsers without it, so nobody can keep an organiser out
of their own account by guessing passwords against it (OWASP's "device cookies").
"""

from __future__ import annotations

import secrets

from fastapi import Request
from fastapi.responses import Response
from sqlmodel import Session

from campaign.accounts.deps import session_cookie_name
from campaign.accounts.models import User
from campaign.accounts.service import login
from campaign.core.security import csrf_cookie_name, read_token, signer
from campaign.core.settings import Settings
from campaign.core.web import redirect, safe_next

DEVICE_MAX_AGE = 365 * 24 * 3600
PENDING_MAX_AGE = 300  # seconds between the password and the second factor


def device_cookie_name(settings: Settings) -> str:
    return "__Host-campaign_device" if settings.secure_cookies else "campaign_device"


def known_device(request: Request, settings: Settings) -> tuple[int, str] | None:
    """The account id and device id of a browser that logged in before, from its cookie."""
    token = request.cookies.get(device_cookie_name(settings))
    payload = read_token(settings, "device", token, DEVICE_MAX_AGE) if token else None
    if not isinstance(payload, list) or len(payload) != 2 or not isinstance(payload[0], int):
        return None
    return payload[0], str(payload[1])


def pending_token(settings: Settings, user: User) -> str:
    """Proof, for a few minutes, that this browser has just given the account's password."""
    return str(signer(settings, "login-pending").dumps([user.id, user.password_hash[-16:]]))


def pending_user(session: Session, settings: Settings, token: str) -> User | None:
    """The account whose password was given, if the proof is genuine and recent."""
    payload = read_token(settings, "login-pending", token, PENDING_MAX_AGE)
    if not isinstance(payload, list) or len(payload) != 2 or not isinstance(payload[0], int):
        return None
    user = session.get(User, payload[0])
    if user is None or not user.is_active or user.password_hash[-16:] != payload[1]:
        return None
    return user


def logged_in(request: Request, session: Session, user: User, target: str) -> Response:
    """Open a session for the user (ending the browser's old one) and go on to `target`."""
    settings: Settings = request.app.state.settings
    old = request.cookies.get(session_cookie_name(settings))
    if old:
        login.end_session(session, token=old)
    token = login.start_session(session, user=user, settings=settings)
    response = redirect(safe_next(target))
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
    device = known_device(request, settings)
    if device is None or device[0] != user.id:
        response.set_cookie(
            device_cookie_name(settings),
            signer(settings, "device").dumps([user.id, secrets.token_urlsafe(12)]),
            max_age=DEVICE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=settings.secure_cookies,
            path="/",
        )
    return response
