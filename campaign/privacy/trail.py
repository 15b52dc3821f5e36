"""How the audit entries of requests about personal data read, in the organiser's language."""

from __future__ import annotations

from campaign.core import audit
from campaign.core.i18n import _

SENTENCES: dict[str, audit.Sentence] = {
    "privacy.looked_up": lambda v: _(
        "%(who)s looked up what is held about an address (reference %(reference)s)", **v
    ),
    "privacy.exported": lambda v: _(
        "%(who)s downloaded what is held about an address (reference %(reference)s)", **v
    ),
    "privacy.erased": lambda v: _(
        "%(who)s erased what was held about an address (reference %(reference)s)", **v
    ),
}


def register() -> None:
    """Add the sentences (entries name no address, only its reference)."""
    audit.describe(SENTENCES)
