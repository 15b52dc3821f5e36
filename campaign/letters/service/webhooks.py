"""What letter campaigns tell organisations' webhooks: a letter went out to an official.

Writing a letter ticks no box to be contacted by the organisation, so the event names the
campaign and the official (both public) and no supporter."""

from __future__ import annotations

from sqlmodel import Session, col, select

from campaign.hooks import service as hooks
from campaign.hooks.models import HookEvent
from campaign.letters.models import Letter, LetterCampaign, Official


def letters_sent(session: Session, letters: list[Letter]) -> int:
    """Queue a letter.sent event per letter to its campaign's organisation, if it listens."""
    if not letters:
        return 0
    campaigns = {
        row.id: row
        for row in session.exec(
            select(LetterCampaign).where(
                col(LetterCampaign.id).in_({letter.campaign_id for letter in letters})
            )
        ).all()
    }
    listening = hooks.listening(
        session, HookEvent.letter_sent, {row.organisation_id for row in campaigns.values()}
    )
    if not listening:
        return 0
    officials = {
        row.id: row
        for row in session.exec(
            select(Official).where(col(Official.id).in_({letter.official_id for letter in letters}))
        ).all()
    }
    queued = 0
    for letter in letters:
        campaign, official = campaigns[letter.campaign_id], officials[letter.official_id]
        payload = {
            "letter_campaign": {
                "identifiers": [f"campaign:letter_campaign:{campaign.id}"],
                "slug": campaign.slug,
                "title": campaign.title,
            },
            "target": {"name": official.name, "title": official.title},
            "created_date": (letter.sent_at or letter.created_at).isoformat(timespec="seconds"),
        }
        queued += hooks.emit(
            session,
            organisation_id=campaign.organisation_id,
            event=HookEvent.letter_sent,
            payload=payload,
            hooks=listening,
        )
    return queued
