"""Every table, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from campaign.accounts.models import Invitation, LoginSession, RecoveryCode, User
from campaign.audit import AuditEvent
from campaign.letters.models import (
    CampaignTarget,
    Letter,
    LetterCampaign,
    LetterCount,
    LetterSender,
    LetterTemplate,
    Official,
    OfficialEmail,
    OfficialReply,
)
from campaign.mail.models import OutboxMessage
from campaign.petitions.models import Petition, PetitionTally, PetitionUpdate, Signature
from campaign.prisoners.models import (
    Facility,
    Follow,
    Placement,
    Prisoner,
    ReminderSent,
    SolidarityLetter,
    Volunteer,
)
from campaign.ratelimit import RateCounter
from campaign.sitesettings import SiteSetting
from campaign.translated_content import ContentVersion

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "CampaignTarget",
    "ContentVersion",
    "Facility",
    "Follow",
    "Invitation",
    "Letter",
    "LetterCampaign",
    "LetterCount",
    "LetterSender",
    "LetterTemplate",
    "LoginSession",
    "Official",
    "OfficialEmail",
    "OfficialReply",
    "OutboxMessage",
    "Petition",
    "PetitionTally",
    "PetitionUpdate",
    "Placement",
    "Prisoner",
    "RateCounter",
    "RecoveryCode",
    "ReminderSent",
    "Signature",
    "SiteSetting",
    "SolidarityLetter",
    "User",
    "Volunteer",
    "metadata",
]
