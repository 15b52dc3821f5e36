"""How the audit entries of the prisoners' register read, in the organiser's language."""

from __future__ import annotations

from sqlmodel import col

from campaign.core import audit
from campaign.core.i18n import _
from campaign.prisoners.models import Facility, Prisoner

SENTENCES: dict[str, audit.Sentence] = {
    "prisoner.saved": lambda v: _("%(who)s saved the record of %(about)s", **v),
    "prisoners.exported": lambda v: _("%(who)s exported the register of prisoners", **v),
    "prisoners.letters_exported": lambda v: _(
        "%(who)s exported the letters volunteers logged", **v
    ),
    "prisoners.imported": lambda v: _(
        "%(who)s imported prisoners: %(created)s new, %(updated)s changed", **v
    ),
    "prisoner.consent:given": lambda v: _("%(who)s recorded consent to name %(about)s", **v),
    "prisoner.consent:withdrawn": lambda v: _(
        "%(who)s recorded that consent to name %(about)s is withdrawn", **v
    ),
    "letters.delivery_paused_for_consent": lambda v: _(
        "%(who)s paused the delivery of %(about)s: consent to name its prisoner was withdrawn",
        **v,
    ),
    "prisoner.transferred": lambda v: _("%(who)s recorded a transfer of %(about)s", **v),
    "prisoner.event_saved": lambda v: _("%(who)s saved an event of %(about)s", **v),
    "prisoner.event_ended": lambda v: _("%(who)s ended an event of %(about)s", **v),
    "prisoner.event_deleted": lambda v: _("%(who)s deleted an event of %(about)s", **v),
    "facility.saved": lambda v: _("%(who)s saved the facility %(about)s", **v),
}


def register() -> None:
    """Add the sentences, and name prisoners (in Latin letters) and facilities."""
    audit.describe(
        SENTENCES,
        names={
            "prisoner": audit.namer(col(Prisoner.id), col(Prisoner.name_latin)),
            "facility": audit.namer(col(Facility.id), col(Facility.name)),
        },
    )
