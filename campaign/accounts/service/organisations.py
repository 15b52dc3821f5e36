"""Organisations and their members: the groups that run campaigns on one install, and each
person's role in them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from campaign.accounts.models import Membership, Organisation, OrgRole, User
from campaign.accounts.service.accounts import AccountError
from campaign.accounts.service.roles import Duty, duties_of
from campaign.core import audit
from campaign.core.i18n import _

NAME_MAX = 200
# The roles that may start and edit campaigns in an organisation.
CAMPAIGNING = (OrgRole.owner, OrgRole.campaigner)


def create_organisation(session: Session, name: str) -> Organisation:
    """A new organisation; AccountError when the name is empty, too long or taken."""
    name = " ".join(name.split())
    if not name:
        raise AccountError("name", _("Enter the organisation's name."))
    if len(name) > NAME_MAX:
        raise AccountError("name", _("Use at most %(count)s characters.", count=NAME_MAX))
    if organisation_named(session, name) is not None:
        raise AccountError("name", _("An organisation with this name exists already."))
    organisation = Organisation(name=name)
    session.add(organisation)
    session.flush()
    return organisation


def organisation_named(session: Session, name: str) -> Organisation | None:
    """The organisation of this name (as typed, spaces collapsed), if any."""
    name = " ".join(name.split())
    return session.exec(select(Organisation).where(Organisation.name == name)).first()


def record_event(
    session: Session, *, by: User, action: str, organisation: Organisation, **details: object
) -> None:
    """Put something done to an organisation (its members, its creation) in its own trail."""
    audit.record(
        session,
        by=by,
        action=action,
        target=f"organisation:{organisation.id}",
        organisation_id=organisation.id,
        **details,
    )


def add_member(session: Session, organisation: Organisation, user: User, role: OrgRole) -> None:
    """Give a person a role in an organisation (the new role when they are a member already)."""
    membership = session.get(Membership, (organisation.id, user.id))
    if membership is None:
        membership = Membership(organisation_id=organisation.id, user_id=user.id, role=role)  # type: ignore[arg-type]
    membership.role = role.value
    session.add(membership)
    session.flush()


def memberships(session: Session, user: User) -> list[tuple[Organisation, OrgRole]]:
    """The organisations a person belongs to, with their role, by name."""
    rows = session.exec(
        select(Organisation, Membership.role)
        .join(Membership, col(Membership.organisation_id) == Organisation.id)
        .where(Membership.user_id == user.id)
        .order_by(col(Organisation.name))
    ).all()
    return [(organisation, OrgRole(role)) for organisation, role in rows]


def campaigning_organisations(session: Session, user: User) -> list[Organisation]:
    """The organisations in which a person may start a campaign (owner or campaigner)."""
    return [org for org, role in memberships(session, user) if role in CAMPAIGNING]


def all_organisations(session: Session) -> list[tuple[Organisation, int]]:
    """Every organisation on the install with its number of members, by name (for site
    administrators, who create them)."""
    rows = session.exec(
        select(Organisation, func.count(col(Membership.user_id)))
        .join(Membership, col(Membership.organisation_id) == Organisation.id, isouter=True)
        .group_by(col(Organisation.id))
        .order_by(col(Organisation.name))
    ).all()
    return [(organisation, int(count)) for organisation, count in rows]


def organisation_names(session: Session, ids: set[int]) -> dict[int, str]:
    """The names of these organisations, by id (for pages that say who is behind what)."""
    if not ids:
        return {}
    rows = session.exec(
        select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(ids))
    ).all()
    return {int(oid): name for oid, name in rows if oid is not None}


def role_in(session: Session, user: User, organisation_id: int) -> OrgRole | None:
    """A person's role in an organisation, or None when they are not a member."""
    membership = session.get(Membership, (organisation_id, user.id))
    return OrgRole(membership.role) if membership is not None else None


def member_organisation_ids(session: Session, user: User) -> set[int]:
    """The ids of the organisations a person belongs to, whatever the role."""
    rows = session.exec(
        select(Membership.organisation_id).where(Membership.user_id == user.id)
    ).all()
    return set(rows)


def roles_of(session: Session, user: User) -> list[OrgRole]:
    """A person's roles, one per organisation they belong to."""
    rows = session.exec(select(Membership.role).where(Membership.user_id == user.id)).all()
    return [OrgRole(role) for role in rows]


@dataclass(frozen=True)
class Standing:
    """A person's organisations, names and roles by id: what the organiser lists show."""

    names: dict[int, str]
    roles: dict[int, OrgRole]

    @property
    def ids(self) -> set[int]:
        return set(self.roles)

    @property
    def campaigns_somewhere(self) -> bool:
        """Whether they campaign in any organisation: may start a petition or a campaign, and
        edit the registers the install shares."""
        return any(Duty.campaign.allows(role) for role in self.roles.values())

    def duties(self, organisation_id: int) -> frozenset[str]:
        return duties_of(self.roles.get(organisation_id))


def standing(session: Session, user: User) -> Standing:
    """A person's organisations and roles in them."""
    mine = [(org.id, org.name, role) for org, role in memberships(session, user)]
    return Standing(
        names={oid: name for oid, name, _role in mine if oid is not None},
        roles={oid: role for oid, _name, role in mine if oid is not None},
    )
