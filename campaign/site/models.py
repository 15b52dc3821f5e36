"""Every table, imported in one place for Alembic and the tests."""

from sqlmodel import SQLModel

from campaign.accounts.models import (
    ApiToken,
    Invitation,
    LoginSession,
    Membership,
    Organisation,
    RecoveryCode,
    User,
)
from campaign.content.models import ContentVersion
from campaign.core.audit import AuditEvent
from campaign.core.ratelimit import RateCounter
from campaign.core.switches import SiteSetting
from campaign.hooks.models import PersonShared, Webhook, WebhookDelivery
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
from campaign.petitions.models import (
    PaperSheet,
    PaperSignature,
    Petition,
    PetitionField,
    PetitionTally,
    PetitionUpdate,
    Signature,
    SignatureAnswer,
)
from campaign.prisoners.models import (
    Facility,
    Follow,
    Placement,
    Prisoner,
    PrisonerConsent,
    PrisonerEvent,
    ReminderSent,
    SolidarityLetter,
    Volunteer,
)
from campaign.prisoners.postcards.models import Postcard, PostcardPicture

metadata = SQLModel.metadata

__all__ = [
    "ApiToken",
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
    "Membership",
    "Official",
    "OfficialEmail",
    "OfficialReply",
    "Organisation",
    "OutboxMessage",
    "PaperSheet",
    "PaperSignature",
    "PersonShared",
    "Petition",
    "PetitionField",
    "PetitionTally",
    "PetitionUpdate",
    "Placement",
    "Postcard",
    "PostcardPicture",
    "Prisoner",
    "PrisonerConsent",
    "PrisonerEvent",
    "RateCounter",
    "RecoveryCode",
    "ReminderSent",
    "Signature",
    "SignatureAnswer",
    "SiteSetting",
    "SolidarityLetter",
    "User",
    "Volunteer",
    "Webhook",
    "WebhookDelivery",
    "metadata",
]
