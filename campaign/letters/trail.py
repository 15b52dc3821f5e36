"""How the audit entries of letter campaigns and officials read, in the organiser's language."""

from __future__ import annotations

from sqlmodel import col

from campaign.core import audit
from campaign.core.i18n import _, language_name, ngettext
from campaign.letters.models import LetterCampaign, Official

SENTENCES: dict[str, audit.Sentence] = {
    "letters.campaign_saved": lambda v: _("%(who)s saved the letter campaign «%(about)s»", **v),
    "letters.template_saved": lambda v: _(
        "%(who)s saved the %(language)s letter template of «%(about)s»",
        **{**v, "language": language_name(str(v["language"]))},
    ),
    "letters.campaign_publish": lambda v: _("%(who)s opened the letter campaign «%(about)s»", **v),
    "letters.campaign_close": lambda v: _("%(who)s closed the letter campaign «%(about)s»", **v),
    "letters.delivery_pause": lambda v: _("%(who)s paused the letters of «%(about)s»", **v),
    "letters.delivery_resume": lambda v: _("%(who)s resumed the letters of «%(about)s»", **v),
    "letters.delivery_cancel": lambda v: _(
        "%(who)s cancelled an official's unsent letters of «%(about)s»", **v
    ),
    "letters.reply_recorded": lambda v: _("%(who)s recorded an official's reply", **v),
    "letters.counts_exported": lambda v: _("%(who)s exported the counts of «%(about)s»", **v),
    "letters.anonymised": lambda v: ngettext(
        "The name and address of %(num)d letter writer of «%(about)s» were erased, as planned",
        "The names and addresses of %(num)d letter writers of «%(about)s» were erased, as planned",
        int(v["count"]),
        **v,
    ),
    "official.saved": lambda v: _("%(who)s saved the official %(about)s", **v),
    "officials.exported": lambda v: _("%(who)s exported the register of officials", **v),
    "officials.imported": lambda v: _(
        "%(who)s imported officials: %(created)s new, %(updated)s changed", **v
    ),
}


def register() -> None:
    """Add the sentences, and name campaigns by their title and officials by their name."""
    campaign = audit.namer(col(LetterCampaign.id), col(LetterCampaign.title))
    audit.describe(
        SENTENCES,
        names={
            "letter_campaign": campaign,
            "letters": campaign,  # what content versions and retention call a campaign
            "official": audit.namer(col(Official.id), col(Official.name)),
        },
    )
