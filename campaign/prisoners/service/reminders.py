"""Reminders the worker mails volunteers who asked for them: birthdays coming up, people they
follow who have had no letter for 60 days, and the events organisers recorded for the people they
follow (a hearing, a hunger strike). Each reminder goes out once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from campaign.core.db import insert_once
from campaign.core.settings import Settings
from campaign.mail import outbox
from campaign.prisoners import emails
from campaign.prisoners.models import (
    Follow,
    Prisoner,
    PrisonerEvent,
    ReminderSent,
    SolidarityLetter,
    Volunteer,
)
from campaign.prisoners.service.consent import named_publicly
from campaign.prisoners.service.events import SILENCE_DAYS, CampaignLink, due_for_follower
from campaign.prisoners.service.opt_out import opt_out, opt_out_token
from campaign.prisoners.service.prisoners import HELD, next_birthday

# The signed tokens of this mail's unsubscribe links.
PURPOSE = "volunteer-reminders"


@dataclass(frozen=True)
class Due:
    prisoner: Prisoner
    kind: str
    occasion: str
    event: PrisonerEvent | None = None
    campaign: CampaignLink | None = None


def unsubscribe_token(settings: Settings, volunteer: Volunteer) -> str:
    """The signed token of the unsubscribe link in reminder mails."""
    return opt_out_token(settings, PURPOSE, volunteer)


def unsubscribe(session: Session, *, settings: Settings, token: str) -> bool:
    """Turn off every reminder for the volunteer the link belongs to; False for a bad link."""
    flags = ("birthday_reminders", "silence_alerts")
    return opt_out(session, settings=settings, purpose=PURPOSE, token=token, flags=flags)


def _candidates(session: Session, volunteer: Volunteer, followed: bool) -> list[Prisoner]:
    # A person hidden for want of consent is not named in a reminder either.
    query = select(Prisoner).where(
        col(Prisoner.status).in_(HELD), col(Prisoner.accepts_letters).is_(True), named_publicly()
    )
    if followed:
        query = query.join(Follow, col(Follow.prisoner_id) == col(Prisoner.id)).where(
            Follow.volunteer_id == volunteer.id
        )
    return list(session.exec(query.order_by(col(Prisoner.name_latin))).all())


def due_reminders(session: Session, volunteer: Volunteer, today: date) -> list[Due]:
    """What this volunteer should hear about today (whether or not it went out already)."""
    due: list[Due] = []
    if volunteer.birthday_reminders:
        for prisoner in _candidates(session, volunteer, volunteer.followed_only):
            if prisoner.birth_date is None:
                continue
            birthday = next_birthday(prisoner.birth_date, today)
            if birthday - today <= timedelta(days=volunteer.reminder_days):
                due.append(Due(prisoner, "birthday", birthday.isoformat()))
    if volunteer.silence_alerts:
        followed = _candidates(session, volunteer, True)
        last = dict(
            session.exec(
                select(SolidarityLetter.prisoner_id, func.max(SolidarityLetter.sent_on))
                .where(col(SolidarityLetter.prisoner_id).in_([p.id for p in followed]))
                .group_by(col(SolidarityLetter.prisoner_id))
            ).all()
        )
        for prisoner in followed:
            latest = last.get(prisoner.id or 0)
            if latest is None or latest <= today - timedelta(days=SILENCE_DAYS):
                due.append(Due(prisoner, "silence", latest.isoformat() if latest else "never"))
    # Events of the people they follow, once each whatever its date becomes: the occasion is
    # the event's id, so that a moved hearing is not mailed again.
    for event, prisoner, campaign in due_for_follower(
        session, volunteer_id=volunteer.id or 0, days=volunteer.reminder_days, today=today
    ):
        due.append(Due(prisoner, "event", str(event.id), event, campaign))
    return due


def _item(settings: Settings, volunteer: Volunteer, due: Due, today: date) -> emails.ReminderItem:
    # Links keep the volunteer's language, whatever their browser says when they open them.
    lang = f"?lang={volunteer.locale}"
    item: emails.ReminderItem = {
        "kind": due.kind,
        "name": due.prisoner.name_latin,
        "url": f"{settings.base_url}/prisoners/{due.prisoner.slug}{lang}",
        "occasion": due.occasion,
    }
    if due.event is not None:
        item["event"] = {
            "kind": due.event.kind,
            "starts_on": due.event.starts_on.isoformat(),
            "ongoing": due.event.starts_on <= today,
            "note": due.event.note,
            "campaign_url": f"{settings.base_url}/letters/{due.campaign.slug}{lang}"
            if due.campaign
            else "",
        }
    return item


def send_reminders(session: Session, *, settings: Settings, today: date) -> int:
    """One digest per volunteer with the reminders not sent before; how many digests."""
    volunteers = session.exec(
        select(Volunteer).where(
            col(Volunteer.birthday_reminders).is_(True) | col(Volunteer.silence_alerts).is_(True)
        )
    ).all()
    volunteers = outbox.only_mailable(volunteers, what="reminders")
    sent = 0
    for volunteer in volunteers:
        fresh = [
            due
            for due in due_reminders(session, volunteer, today)
            if insert_once(
                session,
                ReminderSent.__table__,  # type: ignore[attr-defined]
                {
                    "volunteer_id": volunteer.id,
                    "prisoner_id": due.prisoner.id,
                    "kind": due.kind,
                    "occasion": due.occasion,
                },
            )
        ]
        if not fresh:
            continue
        token = unsubscribe_token(settings, volunteer)
        url = f"{settings.base_url}/volunteer/unsubscribe?token={token}&lang={volunteer.locale}"
        emails.volunteer_reminders(
            session,
            to=volunteer.email,
            locale=volunteer.locale,
            items=[_item(settings, volunteer, due, today) for due in fresh],
            unsubscribe=url,
            base_url=settings.base_url,
        )
        sent += 1
    return sent
