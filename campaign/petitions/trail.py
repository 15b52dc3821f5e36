"""How the audit entries of petitions read, in the organiser's language."""

from __future__ import annotations

from sqlmodel import col

from campaign.core import audit
from campaign.core.i18n import _, ngettext
from campaign.petitions.models import Petition

SENTENCES: dict[str, audit.Sentence] = {
    "petition.created": lambda v: _("%(who)s created the petition «%(about)s»", **v),
    "petition.edited": lambda v: _("%(who)s edited the petition «%(about)s»", **v),
    "petition.exported": lambda v: _("%(who)s exported data of «%(about)s»", **v),
    "petition.exported:signatures": lambda v: _(
        "%(who)s exported the signatures of «%(about)s»", **v
    ),
    "petition.exported:partner signatures": lambda v: _(
        "%(who)s exported a partner's signers of «%(about)s»", **v
    ),
    "petition.exported:by-day": lambda v: _(
        "%(who)s exported the counts per day of «%(about)s»", **v
    ),
    "petition.exported:by-country": lambda v: _(
        "%(who)s exported the counts per country of «%(about)s»", **v
    ),
    "petition.exported:handover": lambda v: _(
        "%(who)s opened the hand-over document of «%(about)s»", **v
    ),
    "petition.exported:handover.pdf": lambda v: _(
        "%(who)s downloaded the hand-over PDF of «%(about)s»", **v
    ),
    "petition.invalidated": lambda v: ngettext(
        "%(who)s invalidated %(num)d signature of «%(about)s»",
        "%(who)s invalidated %(num)d signatures of «%(about)s»",
        int(v["count"]),
        **v,
    ),
    "petition.accepted": lambda v: ngettext(
        "%(who)s counted %(num)d suspect signature of «%(about)s»",
        "%(who)s counted %(num)d suspect signatures of «%(about)s»",
        int(v["count"]),
        **v,
    ),
    "petition.update_sent": lambda v: ngettext(
        "%(who)s mailed the update “%(subject)s” of «%(about)s» to %(num)d signer",
        "%(who)s mailed the update “%(subject)s” of «%(about)s» to %(num)d signers",
        int(v["count"]),
        **v,
    ),
    "petition.publish": lambda v: _("%(who)s published «%(about)s»", **v),
    "petition.close": lambda v: _("%(who)s closed «%(about)s»", **v),
    "petition.archive": lambda v: _("%(who)s archived «%(about)s»", **v),
    "petition.pause": lambda v: _("%(who)s paused signing on «%(about)s»", **v),
    "petition.resume": lambda v: _("%(who)s opened signing on «%(about)s» again", **v),
    "petition.update_scheduled": lambda v: _(
        "%(who)s scheduled the update “%(subject)s” of «%(about)s»", **v
    ),
    "petition.update_cancelled": lambda v: _(
        "%(who)s cancelled the scheduled update “%(subject)s” of «%(about)s»", **v
    ),
    "petition.update_translated": lambda v: _(
        "%(who)s wrote a version of an update of «%(about)s» in another language", **v
    ),
    "petition.update_discarded": lambda v: _(
        "%(who)s discarded the draft update “%(subject)s” of «%(about)s»", **v
    ),
    "petition.won": lambda v: _("%(who)s marked «%(about)s» as won", **v),
    "petition.response_added": lambda v: _(
        "%(who)s recorded an official response to «%(about)s»", **v
    ),
    "petition.partners_changed": lambda v: _(
        "%(who)s changed the partner organisations of «%(about)s»", **v
    ),
    "petition.anonymised": lambda v: ngettext(
        "The names and addresses of %(num)d signer of «%(about)s» were erased, as planned",
        "The names and addresses of %(num)d signers of «%(about)s» were erased, as planned",
        int(v["count"]),
        **v,
    ),
    "petition.paper_entered": lambda v: ngettext(
        "%(who)s entered paper sheet no. %(number)s of «%(about)s» with %(num)d signature",
        "%(who)s entered paper sheet no. %(number)s of «%(about)s» with %(num)d signatures",
        int(v["count"]),
        **v,
    ),
    "petition.paper_undone": lambda v: ngettext(
        "%(who)s undid paper sheet no. %(number)s of «%(about)s» (%(num)d signature)",
        "%(who)s undid paper sheet no. %(number)s of «%(about)s» (%(num)d signatures)",
        int(v["count"]),
        **v,
    ),
    "partner_api.read:people": lambda v: ngettext(
        "The API token %(token)s (%(prefix)s…) read %(num)d person who agreed that %(about)s "
        "may contact them (page %(page)s)",
        "The API token %(token)s (%(prefix)s…) read %(num)d people who agreed that %(about)s "
        "may contact them (page %(page)s)",
        int(v["records"]),
        **v,
    ),
    "partner_api.read:signatures": lambda v: ngettext(
        "The API token %(token)s (%(prefix)s…) read %(num)d signature of «%(about)s» "
        "(page %(page)s)",
        "The API token %(token)s (%(prefix)s…) read %(num)d signatures of «%(about)s» "
        "(page %(page)s)",
        int(v["records"]),
        **v,
    ),
    "petition.field_added": lambda v: _(
        "%(who)s added the field “%(label)s” to the sign form of «%(about)s»", **v
    ),
    "petition.field_changed": lambda v: _(
        "%(who)s changed the field “%(label)s” of the sign form of «%(about)s»", **v
    ),
    "petition.field_renamed": lambda v: _(
        "%(who)s renamed the field “%(was)s” to “%(label)s” on the sign form of «%(about)s»", **v
    ),
    "petition.field_moved": lambda v: _(
        "%(who)s moved the field “%(label)s” of the sign form of «%(about)s»", **v
    ),
    "petition.field_removed": lambda v: _(
        "%(who)s removed the field “%(label)s” from the sign form of «%(about)s»", **v
    ),
    "petition.field_retired": lambda v: _(
        "%(who)s took the answered field “%(label)s” off the sign form of «%(about)s»", **v
    ),
    "petition.field_restored": lambda v: _(
        "%(who)s put the field “%(label)s” back on the sign form of «%(about)s»", **v
    ),
    "site.signing_paused:True": lambda v: _("%(who)s paused signing on every petition", **v),
    "site.signing_paused:False": lambda v: _("%(who)s opened signing again", **v),
}


def register() -> None:
    """Add the sentences, and name petitions by their title."""
    audit.describe(
        SENTENCES, names={"petition": audit.namer(col(Petition.id), col(Petition.title))}
    )
