"""Typed dependencies for routes that need a logged-in organiser or an admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from campaign.accounts.models import Organisation, OrgRole, User
from campaign.accounts.service.login import user_for_session
from campaign.accounts.service.organisations import role_in, roles_of
from campaign.accounts.service.roles import Duty, refusal, refusal_anywhere
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.settings import Settings
from campaign.core.web import found

F = TypeVar("F", bound=Callable[..., object])


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
    """Someone without two-factor login asked for a page that needs it (an admin for any
    organiser page, anyone for supporters' personal data); they are sent to set it up."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


def acts_as_organiser(user: User | None) -> bool:
    """Whether a logged-in user may see organisers' pages (an admin only with two-factor on)."""
    return user is not None and not (user.is_admin and user.totp_enabled_at is None)


def require_organiser(user: Annotated[User, Depends(require_login)]) -> User:
    """Any logged-in organiser, or an admin who has two-factor login on.

    An admin's account reaches every supporter's data: until its second factor is set up, the
    password alone opens nothing but the setup page.
    """
    if not acts_as_organiser(user):
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


# -- duties in organisations ----------------------------------------------------------------------

# The duty each organiser dependency asks of its user, so that the route walk can check every
# route against every role (tests/accounts/test_roles.py).
DUTY_OF: dict[Callable[..., object], Duty] = {}


def asks(duty: Duty) -> Callable[[F], F]:
    """Mark a dependency with the duty it checks."""

    def mark(dependency: F) -> F:
        DUTY_OF[dependency] = duty
        return dependency

    return mark


def _personal_data_check(user: User, duty: Duty) -> None:
    if duty.personal_data and user.totp_enabled_at is None:
        raise TwoFactorRequired(
            _("Turn on two-factor authentication to see supporters' names and addresses.")
        )


def require_duty(session: Session, user: User, organisation_id: int, duty: Duty) -> OrgRole:
    """The user's role in the organisation, when it allows the duty: a 404 for someone outside
    the organisation (what it holds is not told), a 403 naming the roles needed for a member
    whose role does not allow it, and the two-factor setup page for personal data without it."""
    role = found(role_in(session, user, organisation_id))
    if not duty.allows(role):
        organisation = session.get(Organisation, organisation_id)
        name = organisation.name if organisation is not None else ""
        raise HTTPException(status_code=403, detail=refusal(duty, name))
    _personal_data_check(user, duty)
    return role


def require_duty_anywhere(session: Session, user: User, duty: Duty) -> None:
    """For what the install shares (the registers): the duty in at least one organisation."""
    if not any(duty.allows(role) for role in roles_of(session, user)):
        raise HTTPException(status_code=403, detail=refusal_anywhere(duty))
    _personal_data_check(user, duty)


def organisation_for(duty: Duty) -> Callable[..., Organisation]:
    """A dependency for the organisation a URL names, when the user's role in it allows the duty
    (404 outside it, 403 naming the roles needed)."""

    @asks(duty)
    def organisation_of_url(
        organisation_id: int, session: SessionDep, user: CurrentOrganiser
    ) -> Organisation:
        organisation = found(session.get(Organisation, organisation_id))
        require_duty(session, user, organisation_id, duty)
        return organisation

    return organisation_of_url


@asks(Duty.campaign)
def require_campaigner(session: SessionDep, user: CurrentOrganiser) -> User:
    """An owner or a campaigner of at least one organisation: who may start a petition or a
    letter campaign, and edit the registers the install shares (prisoners, facilities,
    officials)."""
    require_duty_anywhere(session, user, Duty.campaign)
    return user


Campaigner = Annotated[User, Depends(require_campaigner)]
