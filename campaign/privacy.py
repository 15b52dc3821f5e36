"""A supporter's rights over their data: see everything stored about their address, take it
away as a file, and have it erased.

Asking never reveals whether an address is known: the page is the same either way, and the
link goes only to that mailbox. The link carries the address's keyed hash (the blind index every
table looks people up by), never the address. Erasure keeps signatures and letters as rows, so
every count stays right; it removes who they were.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from campaign import audit
from campaign.accounts.models import User
from campaign.letters.models import Letter, LetterCampaign, LetterSender
from campaign.letters.retention import erase_senders
from campaign.mail import outbox
from campaign.petitions.models import Petition, Signature
from campaign.petitions.retention import erase_signatures
from campaign.prisoners.models import Follow, Prisoner, SolidarityLetter, Volunteer
from campaign.ratelimit import Limiter
from campaign.security import email_index, read_token, signer
from campaign.settings import Settings

PURPOSE = "my-data"
LINK_HOURS = 24


@dataclass
class Holdings:
    """Everything stored about one address, as plain data for the page and the download."""

    signatures: list[dict[str, Any]] = field(default_factory=list)
    letter_senders: list[dict[str, Any]] = field(default_factory=list)
    volunteer: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        return not self.signatures and not self.letter_senders and self.volunteer is None

    def as_json(self) -> str:
        """The download: readable, with names in their own script."""
        return json.dumps(
            {
                "signatures": self.signatures,
                "letters_to_officials": self.letter_senders,
                "volunteer": self.volunteer,
            },
            ensure_ascii=False,
            indent=2,
        )


def request_link(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    email: str,
    locale: str,
    ip_hash: str,
) -> None:
    """Mail a link to see, download or erase what is stored; silently nothing when over limits."""
    index = email_index(settings, email)
    if not limiter.hit_mailbox(
        "my-data", index=index, client=ip_hash, per_address="3/hour", per_client="20/hour"
    ):
        return
    token = signer(settings, PURPOSE).dumps(index)
    outbox.enqueue(
        session,
        to=email,
        template="my_data",
        context={"url": f"{settings.base_url}/my-data?token={token}&lang={locale}"},
        locale=locale,
        base_url=settings.base_url,
    )


def index_for_token(settings: Settings, token: str) -> str | None:
    """The blind index a valid link names, or None when forged or older than a day."""
    index = read_token(settings, PURPOSE, token, max_age=LINK_HOURS * 3600)
    return index if isinstance(index, str) else None


def holdings(session: Session, index: str) -> Holdings:
    """What the tables hold for the address behind this index."""
    found = Holdings()
    signatures = session.exec(
        select(Signature, Petition.title)
        .join(Petition, col(Petition.id) == Signature.petition_id)
        .where(Signature.email_hash == index)
        .order_by(col(Signature.id))
    ).all()
    for signature, title in signatures:
        found.signatures.append(
            {
                "petition": title,
                "name": signature.name,
                "email": signature.email,
                "country": signature.country,
                "city": signature.city,
                "status": signature.status,
                "signed_at": signature.created_at.isoformat(),
                "confirmed_at": signature.confirmed_at.isoformat()
                if signature.confirmed_at
                else None,
                "wants_updates": signature.wants_updates,
                "show_publicly": signature.show_publicly,
                "named_in_handover": signature.named_in_handover,
                "language": signature.locale,
            }
        )
    senders = session.exec(
        select(LetterSender, LetterCampaign.title)
        .join(LetterCampaign, col(LetterCampaign.id) == LetterSender.campaign_id)
        .where(LetterSender.email_hash == index)
        .order_by(col(LetterSender.id))
    ).all()
    for sender, title in senders:
        letters = session.exec(select(Letter).where(Letter.sender_id == sender.id)).all()
        found.letter_senders.append(
            {
                "campaign": title,
                "name": sender.name,
                "email": sender.email,
                "country": sender.country,
                "city": sender.city,
                "written_at": sender.created_at.isoformat(),
                "reply_reported": sender.reply_reported,
                "reply_note": sender.reply_note,
                "letters": [
                    {"subject": letter.subject, "body": letter.body, "status": letter.status}
                    for letter in letters
                ],
            }
        )
    volunteer = session.exec(select(Volunteer).where(Volunteer.email_hash == index)).first()
    if volunteer is not None:
        logged = session.exec(
            select(SolidarityLetter, Prisoner.name_latin)
            .join(Prisoner, col(Prisoner.id) == SolidarityLetter.prisoner_id)
            .where(SolidarityLetter.volunteer_id == volunteer.id)
            .order_by(col(SolidarityLetter.sent_on))
        ).all()
        followed = session.exec(
            select(Prisoner.name_latin)
            .join(Follow, col(Follow.prisoner_id) == Prisoner.id)
            .where(Follow.volunteer_id == volunteer.id)
        ).all()
        found.volunteer = {
            "email": volunteer.email,
            "display_name": volunteer.display_name,
            "language": volunteer.locale,
            "birthday_reminders": volunteer.birthday_reminders,
            "silence_alerts": volunteer.silence_alerts,
            "follows": list(followed),
            "letters": [
                {
                    "to": name,
                    "sent_on": letter.sent_on.isoformat(),
                    "channel": letter.channel,
                    "state": letter.state,
                    "note": letter.note,
                }
                for letter, name in logged
            ],
        }
    return found


def reference(index: str) -> str:
    """A short name for an address in the audit trail; the same address gives the same one."""
    return index[:12]


def erase(session: Session, index: str, *, by: User | None = None) -> dict[str, int]:
    """Erase who this address was, everywhere; counts stay. The numbers erased, by kind."""
    erased = {
        "signatures": erase_signatures(session, col(Signature.email_hash) == index),
        "letter_senders": erase_senders(session, col(LetterSender.email_hash) == index),
        "volunteers": 0,
    }
    volunteer = session.exec(select(Volunteer).where(Volunteer.email_hash == index)).first()
    if volunteer is not None:
        # Logged letters stay for the prisoners' statistics, without whoever wrote them.
        session.execute(
            update(SolidarityLetter)
            .where(col(SolidarityLetter.volunteer_id) == volunteer.id)
            .values(note="")
        )
        session.execute(delete(Volunteer).where(col(Volunteer.id) == volunteer.id))
        erased["volunteers"] = 1
    audit.record(
        session,
        by=by,
        action="privacy.erased",
        reference=reference(index),
        signatures=erased["signatures"],
        letter_senders=erased["letter_senders"],
        volunteers=erased["volunteers"],
    )
    session.flush()
    return erased
