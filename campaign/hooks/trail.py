"""How the audit entries of webhooks read, in the organiser's language."""

from __future__ import annotations

from campaign.core import audit
from campaign.core.i18n import _

SENTENCES: dict[str, audit.Sentence] = {
    "webhook.created": lambda v: _("%(who)s added a webhook to %(url)s", **v),
    "webhook.changed": lambda v: _("%(who)s changed the webhook to %(url)s", **v),
    "webhook.secret_rotated": lambda v: _(
        "%(who)s made a new secret for the webhook to %(url)s", **v
    ),
    "webhook.deleted": lambda v: _("%(who)s deleted the webhook to %(url)s", **v),
    "webhook.resent": lambda v: _(
        "%(who)s sent a dead letter to %(url)s again (delivery %(delivery)s)", **v
    ),
}


def register() -> None:
    """Add the sentences (entries name the webhook's address, never what it was sent)."""
    audit.describe(SENTENCES)
