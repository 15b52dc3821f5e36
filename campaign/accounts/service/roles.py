"""What each role in an organisation may do: the duties an organiser route asks of its user.

Owners do everything; campaigners write, publish and mail updates; data stewards see and judge
supporters' personal data (exports with names, invalidation, hand-overs with names); viewers see
counts and charts. Everyone in an organisation sees its counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from campaign.accounts.models import OrgRole
from campaign.core.i18n import _


@dataclass(frozen=True)
class Need:
    roles: frozenset[OrgRole]
    # Whoever does this sees supporters' names or addresses: two-factor login is required.
    personal_data: bool = False


class Duty(Enum):
    """A kind of organiser action, and who may take it."""

    view = Need(frozenset(OrgRole))  # counts and charts
    campaign = Need(frozenset({OrgRole.owner, OrgRole.campaigner}))  # content, publish, updates
    steward = Need(frozenset({OrgRole.owner, OrgRole.steward}), personal_data=True)
    manage = Need(frozenset({OrgRole.owner}))  # members and their roles
    # Connecting the organisation's own systems (webhooks), which are sent supporters' names
    # and addresses: an owner's, with the second factor that seeing those names needs.
    connect = Need(frozenset({OrgRole.owner}), personal_data=True)

    def allows(self, role: OrgRole | None) -> bool:
        return role is not None and role in self.value.roles

    @property
    def personal_data(self) -> bool:
        return self.value.personal_data


def duties_of(role: OrgRole | None) -> frozenset[str]:
    """The names of the duties a role allows, for pages that offer only what one may do."""
    return frozenset(duty.name for duty in Duty if duty.allows(role))


# Strongest first, so that messages name the roles in a steady order.
ORDER = (OrgRole.owner, OrgRole.campaigner, OrgRole.steward, OrgRole.viewer)


def role_label(role: OrgRole) -> str:
    """A role's name as organisers read it, in the page's language."""
    labels = {
        OrgRole.owner: _("owner"),
        OrgRole.campaigner: _("campaigner"),
        OrgRole.steward: _("data steward"),
        OrgRole.viewer: _("viewer"),
    }
    return labels[role]


def needed_roles(duty: Duty) -> str:
    """The roles that may take this duty, named and joined for a sentence ("owner, campaigner")."""
    return ", ".join(role_label(role) for role in ORDER if role in duty.value.roles)


def refusal(duty: Duty, organisation: str) -> str:
    """The sentence of a 403 page: which role the action needs, in which organisation."""
    return _(
        "This needs one of these roles in %(organisation)s: %(roles)s. An owner of the "
        "organisation can change your role.",
        organisation=organisation,
        roles=needed_roles(duty),
    )


def refusal_anywhere(duty: Duty) -> str:
    """The sentence of a 403 page for what the install shares: the roles needed anywhere."""
    return _(
        "This needs one of these roles in at least one of your organisations: %(roles)s. An "
        "owner of the organisation can change your role.",
        roles=needed_roles(duty),
    )
