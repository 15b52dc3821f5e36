"""How the audit entries of accounts and organisations read, in the organiser's language."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col

from campaign.accounts.models import Organisation, User
from campaign.core import audit
from campaign.core.i18n import _

SENTENCES: dict[str, audit.Sentence] = {
    "account.login": lambda v: _("%(who)s logged in", **v),
    "account.logout": lambda v: _("%(who)s logged out", **v),
    "account.login_failed": lambda v: _("%(who)s typed a wrong password at login", **v),
    "account.login_throttled": lambda v: _(
        "%(who)s was held back after too many failed logins", **v
    ),
    "account.code_failed": lambda v: _("%(who)s typed a wrong two-factor code", **v),
    "account.password_recheck_failed": lambda v: _(
        "%(who)s typed a wrong password to confirm a change", **v
    ),
    "account.password_recheck_throttled": lambda v: _(
        "%(who)s was held back after too many wrong passwords", **v
    ),
    "account.recovery_code_used": lambda v: _("%(who)s logged in with a recovery code", **v),
    "account.recovery_codes_renewed": lambda v: _("%(who)s renewed their recovery codes", **v),
    "account.two_factor_on": lambda v: _("%(who)s turned two-factor authentication on", **v),
    "account.two_factor_off": lambda v: _(
        "%(who)s turned two-factor authentication off for %(account)s", **v
    ),
    "account.created": lambda v: _("An account was created for %(about)s", **v),
    "account.active:True": lambda v: _("%(who)s let %(account)s log in again", **v),
    "account.active:False": lambda v: _("%(who)s stopped %(account)s from logging in", **v),
    "account.invited": lambda v: _("%(who)s invited %(email)s", **v),
    "account.invitation_withdrawn": lambda v: _(
        "%(who)s withdrew the invitation of %(email)s", **v
    ),
    "organisation.created": lambda v: _("%(who)s created the organisation %(about)s", **v),
    "organisation.member_added": lambda v: _("%(who)s added %(account)s to %(about)s", **v),
    "organisation.member_removed": lambda v: _("%(who)s removed %(account)s from %(about)s", **v),
    "organisation.role_changed": lambda v: _(
        "%(who)s changed the role of %(account)s in %(about)s", **v
    ),
    "organisation.api_token_issued": lambda v: _(
        "%(who)s issued the API token %(token)s (%(prefix)s…) of %(about)s", **v
    ),
    "organisation.api_token_revoked": lambda v: _(
        "%(who)s revoked the API token %(token)s (%(prefix)s…) of %(about)s", **v
    ),
}


def register() -> None:
    """Add the sentences, and name people (by name, else address) and organisations."""
    audit.describe(
        SENTENCES,
        names={
            "user": audit.namer(
                col(User.id), func.coalesce(func.nullif(col(User.name), ""), col(User.email))
            ),
            "organisation": audit.namer(col(Organisation.id), col(Organisation.name)),
        },
    )
