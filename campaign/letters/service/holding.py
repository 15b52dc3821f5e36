"""Letters by e-mail, held until the supporter confirms: the letters and the confirmation
mail, a repeat that replaces them, the link that releases them to the queue, and expired holds
deleted."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from campaign.content.service import text_in
from campaign.core.ratelimit import Limiter
from campaign.core.security import email_index
from campaign.core.settings import Settings
from campaign.letters import emails
from campaign.letters.forms import Writer
from campaign.letters.models import (
    Letter,
    LetterCampaign,
    LetterEvent,
    LetterSender,
    LetterStatus,
    Official,
    SenderStatus,
)
from campaign.letters.service.compose import SUBJECT_MAX, Draft
from campaign.letters.service.counting import count
from campaign.letters.service.wording import words_for
from campaign.mail.double_optin import ConfirmOutcome, DoubleOptIn

MAX_MAILS_PER_SENDER = 3


# Letters sent through the platform go through the double opt-in (mail/double_optin.py).
OPT_IN = DoubleOptIn(
    model=LetterSender,
    purpose="letter-sender",
    scope="campaign_id",
    limit_name="letters",
    max_mails=MAX_MAILS_PER_SENDER,
)


@dataclass(frozen=True)
class Submission:
    """A supporter's request to send their letters through the platform."""

    writer: Writer
    email: str
    drafts: list[Draft]
    locale: str
    ask_about_reply: bool


def submit(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    campaign: LetterCampaign,
    submission: Submission,
    ip_hash: str,
) -> None:
    """Hold the letters and mail the confirmation link; a repeat replaces them and re-sends it
    (up to a cap).

    The supporter sees the same page whatever happens here, so no one learns who wrote.
    One letter per supporter and official: once confirmed, a repeat changes nothing. The
    limits and what happens past them are the double opt-in's (mail/double_optin.py); here
    letters held over the campaign's limits are also not counted as written (they still count
    when confirmed and sent).
    """
    assert campaign.id is not None
    admission = OPT_IN.admit(limiter, settings, scope_id=campaign.id, client=ip_hash)
    mailed: list[str] = []
    sender_id = OPT_IN.hold(
        session,
        settings,
        values={
            "campaign_id": campaign.id,
            "email": submission.email,
            "email_hash": email_index(settings, submission.email),
            "name": submission.writer.name,
            "city": submission.writer.city,
            "country": submission.writer.country,
            "locale": submission.locale,
            "ask_about_reply": submission.ask_about_reply,
            "followup_sent": False,
            "reply_reported": "",
            "reply_note": "",
            "ip_hash": ip_hash,
            "confirmed_at": None,
        },
        priority=admission.priority,
        mail=lambda token, priority: mailed.append(token),
    )
    if sender_id is not None:
        sender = session.get_one(LetterSender, sender_id)
        if admission.within_limits:
            for draft in submission.drafts:
                count(
                    session,
                    campaign_id=campaign.id,
                    official_id=draft.official_id,
                    event=LetterEvent.written,
                )
    else:
        sender = session.exec(
            select(LetterSender).where(
                LetterSender.campaign_id == campaign.id,
                LetterSender.email_hash == email_index(settings, submission.email),
            )
        ).one()
        if sender.status != SenderStatus.pending:
            return
        if not OPT_IN.may_mail_again(sender, admission.priority):
            return
        if not _replace_pending(session, sender, submission):
            return
        mailed.append(OPT_IN.token(settings, sender.id, sender.token_nonce))
    for draft in submission.drafts:
        session.add(
            Letter(
                campaign_id=campaign.id,
                sender_id=sender.id,  # type: ignore[arg-type]
                official_id=draft.official_id,
                language=draft.language,
                subject=draft.subject[:SUBJECT_MAX],
                body=draft.body,
            )
        )
    session.flush()
    if mailed and admission.priority is not None:
        url = f"{settings.base_url}/letters/{campaign.slug}"
        emails.confirm_letters(
            session,
            to=sender.email,
            locale=sender.locale,
            name=sender.name,
            title=text_in(session, "letters", campaign, "title", sender.locale),
            officials=[words_for(d.official, sender.locale).name for d in submission.drafts],
            url=f"{url}/confirm?token={mailed[0]}&lang={sender.locale}",
            days=settings.signature_confirm_days,
            base_url=settings.base_url,
            priority=admission.priority,
        )


def _replace_pending(session: Session, sender: LetterSender, submission: Submission) -> bool:
    """Put a new submission in place of a pending one; False if the sender changed meanwhile.

    The newest wording wins, but only under a new nonce: every link mailed before is dead, so
    no link ever sends words (or a name) other than those it was mailed for, whoever wrote
    them later with the same address. The swap is conditional on the nonce it replaces, so a
    link used at this very moment either confirms the earlier letters or finds them gone.
    """
    replaced = session.execute(
        update(LetterSender)
        .where(
            col(LetterSender.id) == sender.id,
            col(LetterSender.status) == SenderStatus.pending,
            col(LetterSender.token_nonce) == sender.token_nonce,
            col(LetterSender.mails_sent) < OPT_IN.max_mails,
        )
        .values(
            token_nonce=secrets.token_urlsafe(12),
            mails_sent=col(LetterSender.mails_sent) + 1,
            name=submission.writer.name,
            city=submission.writer.city,
            country=submission.writer.country,
            locale=submission.locale,
            ask_about_reply=submission.ask_about_reply,
        )
        .execution_options(synchronize_session=False)
    )
    if not replaced.rowcount:  # type: ignore[attr-defined]
        return False
    session.refresh(sender)
    session.execute(delete(Letter).where(col(Letter.sender_id) == sender.id))
    return True


def sender_for_token(
    session: Session, *, settings: Settings, campaign: LetterCampaign, token: str
) -> LetterSender | None:
    """The sender a confirmation link points to, if the link is genuine and not expired."""
    row: LetterSender | None = OPT_IN.held_row(session, settings, token=token, scope_id=campaign.id)
    return row


def letters_of(session: Session, sender: LetterSender) -> list[tuple[Letter, Official]]:
    """A sender's letters with their officials: what their confirmation link sends."""
    rows = session.exec(
        select(Letter, Official)
        .join(Official, col(Official.id) == col(Letter.official_id))
        .where(Letter.sender_id == sender.id)
        .order_by(col(Letter.id))
    ).all()
    return [(letter, official) for letter, official in rows]


def confirm(
    session: Session, *, settings: Settings, campaign: LetterCampaign, token: str
) -> ConfirmOutcome:
    """Use a confirmation link: the held letters join the queue, once, even if used twice."""
    sender = sender_for_token(session, settings=settings, campaign=campaign, token=token)
    if sender is None:
        return ConfirmOutcome.invalid
    # Conditional on the link's nonce too: a later submission that replaced the letters while
    # this link was being used leaves it nothing to confirm (see _replace_pending).
    outcome = OPT_IN.confirm(session, sender)
    if outcome is not ConfirmOutcome.confirmed:
        return outcome
    officials = session.exec(
        select(Letter.official_id).where(
            Letter.sender_id == sender.id, Letter.status == LetterStatus.held
        )
    ).all()
    session.execute(
        update(Letter)
        .where(col(Letter.sender_id) == sender.id, col(Letter.status) == LetterStatus.held)
        .values(status=LetterStatus.waiting)
    )
    for official_id in officials:
        count(
            session,
            campaign_id=sender.campaign_id,
            official_id=official_id,
            event=LetterEvent.confirmed,
        )
    return ConfirmOutcome.confirmed


def purge_unconfirmed(session: Session, *, settings: Settings) -> int:
    """Delete senders (and their held letters) whose confirmation link expired unused."""
    return OPT_IN.expire(session, settings)
