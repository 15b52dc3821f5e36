"""Consent to name a prisoner publicly: the one filter every public query goes through, and
recording, withdrawing and reviewing it.

Some families ask that a person not be named: publicity can worsen their conditions. So a
prisoner is public only while the newest consent row recorded for them says "given"; a person
never recorded, or whose consent was withdrawn, is hidden everywhere the public looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.letters.models import LetterCampaign
from campaign.prisoners.models import (
    ConsentFrom,
    ConsentHow,
    ConsentState,
    Prisoner,
    PrisonerConsent,
)


@dataclass(frozen=True)
class ConsentForm:
    """A consent record as an organiser typed it, checked."""

    state: ConsentState
    given_by: ConsentFrom
    given_on: date
    how: ConsentHow
    note: str


def _newest_ids() -> Any:
    return select(func.max(PrisonerConsent.id)).group_by(col(PrisonerConsent.prisoner_id))


def public_ids() -> Any:
    """The ids of the prisoners who may be named now: the newest row of each says "given"."""
    return select(PrisonerConsent.prisoner_id).where(
        col(PrisonerConsent.id).in_(_newest_ids()),
        PrisonerConsent.state == ConsentState.given.value,
    )


def named_publicly(prisoner_id: Any = None) -> Any:
    """The condition every public query about prisoners carries (on `Prisoner.id` by default)."""
    column = col(Prisoner.id) if prisoner_id is None else prisoner_id
    return column.in_(public_ids())


def campaign_may_be_public() -> Any:
    """The condition on letter campaigns: one naming a register prisoner shows only while that
    person may be named."""
    return or_(
        col(LetterCampaign.prisoner_id).is_(None),
        named_publicly(col(LetterCampaign.prisoner_id)),
    )


def is_public(session: Session, prisoner_id: int | None) -> bool:
    """Whether this prisoner may be named now."""
    if prisoner_id is None:
        return False
    query = select(Prisoner.id).where(Prisoner.id == prisoner_id, named_publicly())
    return session.exec(query).first() is not None


def campaign_hidden(session: Session, campaign: LetterCampaign | None) -> bool:
    """Whether a campaign is hidden from the public because its prisoner may not be named."""
    if campaign is None or campaign.prisoner_id is None:
        return False
    return not is_public(session, campaign.prisoner_id)


def history(session: Session, prisoner_id: int) -> list[PrisonerConsent]:
    """Every consent record of the person, newest (the one that decides) first."""
    query = (
        select(PrisonerConsent)
        .where(PrisonerConsent.prisoner_id == prisoner_id)
        .order_by(col(PrisonerConsent.id).desc())
    )
    return list(session.exec(query).all())


def latest(session: Session, prisoner_id: int) -> PrisonerConsent | None:
    """The record that decides now, or None when none was ever made."""
    rows = history(session, prisoner_id)
    return rows[0] if rows else None


def linked_campaigns(session: Session, prisoner_id: int) -> list[LetterCampaign]:
    """The letter campaigns that name this person."""
    query = select(LetterCampaign).where(LetterCampaign.prisoner_id == prisoner_id)
    return list(session.exec(query.order_by(col(LetterCampaign.id))).all())


def record(
    session: Session, *, prisoner: Prisoner, form: ConsentForm, user_id: int | None
) -> list[LetterCampaign]:
    """Add a consent record; a withdrawal also pauses the delivery of every campaign naming
    the person (an organiser resumes it by hand once consent is back). Returns those paused."""
    session.add(
        PrisonerConsent(
            prisoner_id=prisoner.id,  # type: ignore[arg-type]
            state=form.state.value,
            given_by=form.given_by.value,
            given_on=form.given_on,
            how=form.how.value,
            note=form.note,
            recorded_by=user_id,
        )
    )
    paused: list[LetterCampaign] = []
    if form.state is ConsentState.withdrawn:
        for campaign in linked_campaigns(session, prisoner.id):  # type: ignore[arg-type]
            if not campaign.delivery_paused:
                campaign.delivery_paused = True
                campaign.updated_at = utcnow()
                session.add(campaign)
                paused.append(campaign)
    session.flush()
    return paused


def waiting(session: Session) -> list[Prisoner]:
    """People in the register not named publicly: never asked, or consent withdrawn."""
    query = select(Prisoner).where(~named_publicly()).order_by(col(Prisoner.name_latin))
    return list(session.exec(query).all())


def review_due(session: Session) -> list[Prisoner]:
    """People public only because the upgrade recorded them so: an organiser should confirm."""
    query = (
        select(Prisoner)
        .join(PrisonerConsent, col(PrisonerConsent.prisoner_id) == col(Prisoner.id))
        .where(
            col(PrisonerConsent.id).in_(_newest_ids()),
            PrisonerConsent.given_by == ConsentFrom.before_tracking.value,
        )
        .order_by(col(Prisoner.name_latin))
    )
    return list(session.exec(query).all())


def states(session: Session) -> dict[int, str]:
    """Each prisoner's current state ("given" or "withdrawn"); those never recorded are absent."""
    query = select(PrisonerConsent.prisoner_id, PrisonerConsent.state).where(
        col(PrisonerConsent.id).in_(_newest_ids())
    )
    return {pid: state for pid, state in session.exec(query).all()}
