"""Typed dependencies for routes that need a logged-in organiser or an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from campaign.accounts.models import User
from campaign.accounts.service.login import user_for_session
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.settings import Settings


@dataclass(frozen=True)
class UserView:
    """What page layouts need of the logged-in user; plain data, safe after the session ends."""

    id: int
    email: str
    name: str
    is_admin: bool


class LoginRequired(Exception):
    """Raised for a page that needs login; the app answers with a redirect to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def session_cookie_name(settings: Settings) -> str:
    """`__Host-` binds the cookie to this exact origin, but browsers accept it only over https."""
    return "__Host-campaign_session" if settings.secure_cookies else "campaign_session"


def optional_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in user, or None; also kept on request.state for the page layout."""
    settings: Settings = request.app.state.settings
    token = request.cookies.get(session_cookie_name(settings))
    user = user_for_session(session, token=token) if token else None
    if user is not None and user.id is not None:
        request.state.user = UserView(user.id, user.email, user.name, user.is_admin)
    return user


def require_login(request: Request, user: Annotated[User | None, Depends(optional_user)]) -> User:
    """Anyone logged in; others are sent to the login page."""
    if user is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return user


class TwoFactorRequired(Exception):
    """An admin without two-factor login asked for a page; they are sent to set it up."""


def require_organiser(user: Annotated[User, Depends(require_login)]) -> User:
    """Any logged-in organiser, or an admin who has two-factor login on.

    An admin's account reaches every supporter's data: until its second factor is set up, the
    password alone opens nothing but the setup page.
    """
    if user.is_admin and user.totp_enabled_at is None:
        raise TwoFactorRequired
    return user


def require_admin(user: Annotated[User, Depends(require_organiser)]) -> User:
    """A logged-in admin (with two-factor login on); an organiser gets 403."""
    if not user.is_admin:
        raise HTTPException(status_code=403, detail=_("Only administrators can open this page."))
    return user


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(require_login)]
CurrentOrganiser = Annotated[User, Depends(require_organiser)]
CurrentAdmin = Annotated[User, Depends(require_admin)]
