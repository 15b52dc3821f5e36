"""An organisation's members as its owners manage them: who is in it with which role, adding
someone (an existing account at once, anyone else by invitation), changing a role, removing a
member. An organisation always keeps at least one owner."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from campaign.accounts.models import Membership, Organisation, OrgRole, Role, User
from campaign.accounts.service import invitations
from campaign.accounts.service.accounts import AccountError, find_user
from campaign.accounts.service.organisations import add_member, record_event
from campaign.accounts.service.roles import role_label
from campaign.core.fields import check_email
from campaign.core.i18n import _
from campaign.core.settings import Settings


@dataclass(frozen=True)
class Member:
    """One member as the members page shows them."""

    user_id: int
    email: str
    name: str
    role: OrgRole
    two_factor: bool
    active: bool


def members_of(session: Session, organisation_id: int) -> list[Member]:
    """An organisation's members, by address."""
    rows = session.exec(
        select(User, Membership.role)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.organisation_id == organisation_id)
        .order_by(col(User.email))
    ).all()
    return [
        Member(
            user_id=user.id,  # type: ignore[arg-type]
            email=user.email,
            name=user.name,
            role=OrgRole(role),
            two_factor=user.totp_enabled_at is not None,
            active=user.is_active,
        )
        for user, role in rows
    ]


def _owners(session: Session, organisation_id: int) -> int:
    """How many owners of the organisation can still log in (a stopped account manages
    nothing)."""
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == OrgRole.owner.value,
            col(User.is_active).is_(True),
        )
    ).one()


def _membership(session: Session, organisation: Organisation, account_id: int) -> Membership:
    membership = session.get(Membership, (organisation.id, account_id))
    if membership is None:
        raise AccountError("member", _("This person is not a member of the organisation."))
    return membership


def _keep_an_owner(session: Session, organisation: Organisation, membership: Membership) -> None:
    """Refuse to demote or remove the last owner who can log in."""
    if membership.role != OrgRole.owner.value:
        return
    account = session.get(User, membership.user_id)
    if account is not None and account.is_active and _owners(session, organisation.id) <= 1:  # type: ignore[arg-type]
        raise AccountError(
            "member",
            _("An organisation needs at least one owner: make someone else owner first."),
        )


def change_role(
    session: Session, *, organisation: Organisation, account_id: int, role: OrgRole, by: User
) -> Member:
    """Give a member another role; AccountError when that would leave no owner."""
    membership = _membership(session, organisation, account_id)
    if membership.role != role.value:
        _keep_an_owner(session, organisation, membership)
        previous = membership.role
        membership.role = role.value
        session.add(membership)
        session.flush()
        account = session.get(User, account_id)
        record_event(
            session,
            by=by,
            action="organisation.role_changed",
            organisation=organisation,
            account=account.email if account else "",
            role=role.value,
            previous=previous,
        )
    return next(m for m in members_of(session, organisation.id) if m.user_id == account_id)  # type: ignore[arg-type]


def remove_member(
    session: Session, *, organisation: Organisation, account_id: int, by: User
) -> str:
    """Take someone out of the organisation (their account stays); their address. AccountError
    when they are its last owner."""
    membership = _membership(session, organisation, account_id)
    _keep_an_owner(session, organisation, membership)
    account = session.get(User, account_id)
    session.delete(membership)
    session.flush()
    email = account.email if account else ""
    record_event(
        session,
        by=by,
        action="organisation.member_removed",
        organisation=organisation,
        account=email,
    )
    return email


def add_or_invite(
    session: Session,
    *,
    settings: Settings,
    organisation: Organisation,
    email: str,
    role: OrgRole,
    by: User,
    locale: str,
) -> str:
    """Give the person behind an address a role in the organisation: an existing account at
    once ("added"), anyone else by an invitation that names the organisation and the role
    ("invited"). AccountError for an address that cannot be."""
    address, problem = check_email(email, smtputf8=settings.smtp_utf8)
    if problem:
        raise AccountError("email", problem)
    account = find_user(session, email=address)
    if account is None:
        made = invitations.invite(
            session,
            settings=settings,
            by=by,
            email=address,
            role=Role.organiser.value,
            locale=locale,
            organisation=organisation,
            org_role=role,
        )
        if made.errors:
            field = next(iter(made.errors))
            raise AccountError(field, made.errors[field])
        return "invited"
    if session.get(Membership, (organisation.id, account.id)) is not None:
        raise AccountError(
            "email",
            _("%(email)s is a member already: change their role below.", email=account.email),
        )
    add_member(session, organisation, account, role)
    record_event(
        session,
        by=by,
        action="organisation.member_added",
        organisation=organisation,
        account=account.email,
        role=role.value,
    )
    return "added"


def describe(role: OrgRole) -> str:
    """What a role may do, in a sentence for the members page."""
    sentences = {
        OrgRole.owner: _("Members and roles, and everything below."),
        OrgRole.campaigner: _("Content, publishing, updates to signers, counts."),
        OrgRole.steward: _(
            "Exports and invalidation: supporters' names and addresses (two-factor required)."
        ),
        OrgRole.viewer: _("Counts and charts."),
    }
    return f"{role_label(role)}: {sentences[role]}"
