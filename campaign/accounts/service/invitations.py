"""Invitations: the only way to a new account besides the command line."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from campaign.accounts import emails
from campaign.accounts.models import Invitation, Organisation, OrgRole, Role, User
from campaign.accounts.service.accounts import AccountError, create_organiser, find_user
from campaign.accounts.service.organisations import add_member, record_event
from campaign.accounts.service.roles import role_label
from campaign.core import audit
from campaign.core.db import utcnow
from campaign.core.fields import check_email
from campaign.core.i18n import _
from campaign.core.security import token_digest
from campaign.core.settings import Settings
from campaign.core.web import FormErrors

VALID_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Invited:
    """An invitation made, or the reasons it was not."""

    invitation: Invitation | None = None
    errors: FormErrors | None = None


def invite(
    session: Session,
    *,
    settings: Settings,
    by: User,
    email: str,
    role: str,
    locale: str,
    organisation: Organisation | None = None,
    org_role: OrgRole | None = None,
) -> Invited:
    """Mail a one-time link to someone who will run campaigns, naming the organisation they join
    and their role there; an earlier invitation for them lapses."""
    errors = FormErrors()
    address, problem = check_email(email, smtputf8=settings.smtp_utf8)
    if problem:
        errors.add("email", problem)
    elif find_user(session, email=address) is not None:
        errors.add("email", _("There is already an account with this address."))
    if role not in {r.value for r in Role}:
        errors.add("role", _("Choose a role."))
    if (organisation is None) != (org_role is None):
        errors.add("org_role", _("Choose the organisation and the role in it."))
    if errors:
        return Invited(errors=errors)
    address = address.lower()
    # An earlier invitation for the same address into the same organisation (or none) lapses;
    # another organisation's stays.
    joins = organisation.id if organisation is not None else None
    session.execute(
        delete(Invitation).where(
            col(Invitation.email) == address,
            col(Invitation.accepted_at).is_(None),
            col(Invitation.organisation_id).is_(None)
            if joins is None
            else col(Invitation.organisation_id) == joins,
        )
    )
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=address,
        role=role,
        token_hash=token_digest(token),
        invited_by=by.id,
        expires_at=utcnow() + VALID_FOR,
        organisation_id=organisation.id if organisation is not None else None,
        org_role=org_role.value if org_role is not None else "",
    )
    session.add(invitation)
    session.flush()
    emails.invitation(
        session,
        to=address,
        locale=locale,
        url=f"{settings.base_url}/invitation?token={token}",
        inviter=by.name or by.email,
        site=settings.base_url.split("://", 1)[1],
        organisation=organisation.name if organisation is not None else "",
        role=role_label(org_role) if org_role is not None else "",
    )
    audit.record(
        session,
        by=by,
        action="account.invited",
        organisation_id=invitation.organisation_id,
        email=address,
        role=role,
        org_role=invitation.org_role,
    )
    return Invited(invitation=invitation)


def pending_invitations(session: Session, organisation_id: int | None = None) -> list[Invitation]:
    """Invitations not yet used nor expired (all, or those into one organisation), newest
    first."""
    query = (
        select(Invitation)
        .where(col(Invitation.accepted_at).is_(None), col(Invitation.expires_at) > utcnow())
        .order_by(col(Invitation.created_at).desc())
    )
    if organisation_id is not None:
        query = query.where(Invitation.organisation_id == organisation_id)
    return list(session.exec(query).all())


def withdraw(
    session: Session, *, invitation_id: int, by: User, organisation_id: int | None = None
) -> bool:
    """Cancel an invitation that has not been used (into this organisation, when one is
    named); its link stops working."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.accepted_at is not None:
        return False
    if organisation_id is not None and invitation.organisation_id != organisation_id:
        return False
    session.delete(invitation)
    audit.record(
        session,
        by=by,
        action="account.invitation_withdrawn",
        organisation_id=invitation.organisation_id,
        email=invitation.email,
    )
    return True


def open_invitation(session: Session, *, token: str) -> Invitation | None:
    """The invitation behind a link, if it is unused and has not expired."""
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == token_digest(token))
    ).first()
    if invitation is None or invitation.accepted_at is not None:
        return None
    return invitation if invitation.expires_at > utcnow() else None


def accept(
    session: Session, *, invitation: Invitation, name: str, password: str, repeated: str
) -> User | FormErrors:
    """Create the invited account with the password its owner chose."""
    errors = FormErrors()
    name = " ".join(name.split())
    if len(name) > 200:
        errors.add("name", _("Use at most %(count)s characters.", count=200))
    if password != repeated:
        errors.add("repeat", _("The two passwords differ."))
    if errors:
        return errors
    try:
        user = create_organiser(
            session,
            email=invitation.email,
            password=password,
            role=Role(invitation.role),
            name=name,
        )
    except AccountError as exc:
        errors.add(exc.field, exc.message)
        return errors
    invitation.accepted_at = utcnow()
    session.add(invitation)
    if invitation.organisation_id is not None and invitation.org_role:
        organisation = session.get(Organisation, invitation.organisation_id)
        if organisation is not None:
            add_member(session, organisation, user, OrgRole(invitation.org_role))
            record_event(
                session,
                by=user,
                action="organisation.member_added",
                organisation=organisation,
                account=user.email,
                role=invitation.org_role,
                through="invitation",
            )
    return user


def joining(session: Session, invitation: Invitation | None) -> str:
    """What the invitation page says about the organisation the guest joins, and the role."""
    if invitation is None or invitation.organisation_id is None or not invitation.org_role:
        return ""
    organisation = session.get(Organisation, invitation.organisation_id)
    if organisation is None:
        return ""
    return _(
        "You join %(organisation)s as %(role)s.",
        organisation=organisation.name,
        role=role_label(OrgRole(invitation.org_role)),
    )


def sees_personal_data(invitation: Invitation) -> bool:
    """Whether the new account's role shows supporters' names: it needs two-factor login."""
    return invitation.org_role in (OrgRole.owner.value, OrgRole.steward.value)


def withdraw_all_from(session: Session, *, user: User) -> None:
    """Withdraw the unused invitations someone sent (their account is being stopped)."""
    session.execute(
        delete(Invitation).where(
            col(Invitation.invited_by) == user.id, col(Invitation.accepted_at).is_(None)
        )
    )
