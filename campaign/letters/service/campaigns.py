"""Letter campaigns for organisers: details, targeted officials, templates stored and previewed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete
from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.letters.forms import FLAGS, NUMBERS, TEXTS, CampaignForm
from campaign.letters.models import (
    CampaignStatus,
    CampaignTarget,
    LetterCampaign,
    LetterTemplate,
    Official,
)
from campaign.letters.service.letter_templates import (
    render_template,
    sample_context,
)
from campaign.letters.service.wording import gaps, gaps_message, prisoner_names, words_for
from campaign.prisoners.service.consent import campaign_may_be_public
from campaign.prisoners.service.prisoners import prisoner_by_id


@dataclass(frozen=True)
class Preview:
    subjects: list[str]
    body: str


def form_values(campaign: LetterCampaign) -> dict[str, str]:
    """A stored campaign as the form shows it."""
    values = {name: str(getattr(campaign, name)) for name in (*TEXTS, *NUMBERS)}
    values |= {name: "1" for name in FLAGS if getattr(campaign, name)}
    values["petition_id"] = str(campaign.petition_id or "")
    values["prisoner_id"] = str(campaign.prisoner_id or "")
    for name in ("opens_at", "closes_at"):
        moment = getattr(campaign, name)
        values[name] = moment.date().isoformat() if moment else ""
    return values


def _seen_by_the_public() -> Any:
    return and_(
        col(LetterCampaign.status).in_([CampaignStatus.open, CampaignStatus.closed]),
        campaign_may_be_public(),
    )


def public_campaign(session: Session, slug: str) -> LetterCampaign | None:
    """A campaign the public may see (open or closed), by its slug."""
    query = select(LetterCampaign).where(LetterCampaign.slug == slug, _seen_by_the_public())
    return session.exec(query).first()


def public_campaigns(session: Session) -> list[LetterCampaign]:
    """Every campaign the public may see (open or closed), newest first: the sitemap's."""
    query = select(LetterCampaign).where(_seen_by_the_public())
    return list(session.exec(query.order_by(col(LetterCampaign.id).desc())).all())


def open_campaigns(session: Session) -> list[LetterCampaign]:
    """Campaigns that take letters now, newest first."""
    query = (
        select(LetterCampaign)
        .where(LetterCampaign.status == CampaignStatus.open, campaign_may_be_public())
        .order_by(col(LetterCampaign.id).desc())
    )
    return [campaign for campaign in session.exec(query).all() if accepts_letters(campaign)]


def open_campaign_for_petition(session: Session, petition_id: int) -> LetterCampaign | None:
    """The newest campaign taking letters now that is linked to the petition: a signer's next
    step."""
    rows = session.exec(_open_for_petition(), params={"petition_id": petition_id}).all()
    return next((c for c in rows if accepts_letters(c)), None)


@cache
def _open_for_petition() -> Any:
    """Optimization: built once; every confirmation of a signature runs it (docs/benchmarks.md)."""
    return (
        select(LetterCampaign)
        .where(
            LetterCampaign.petition_id == bindparam("petition_id"),
            LetterCampaign.status == CampaignStatus.open,
            campaign_may_be_public(),
        )
        .order_by(col(LetterCampaign.id).desc())
    )


def taking_letters(session: Session, ids: set[int]) -> dict[int, LetterCampaign]:
    """Those of these campaigns the public may see and write in now, by id (for pages of the
    other domains that link to them)."""
    if not ids:
        return {}
    query = select(LetterCampaign).where(
        col(LetterCampaign.id).in_(ids),
        LetterCampaign.status == CampaignStatus.open,
        campaign_may_be_public(),
    )
    return {c.id: c for c in session.exec(query).all() if c.id is not None and accepts_letters(c)}


def accepts_letters(campaign: LetterCampaign) -> bool:
    """Whether supporters can write now: the campaign is open and within its dates."""
    now = utcnow()
    if campaign.status != CampaignStatus.open:
        return False
    if campaign.opens_at is not None and campaign.opens_at > now:
        return False
    return campaign.closes_at is None or campaign.closes_at > now


def all_campaigns(session: Session, organisation_ids: set[int]) -> list[LetterCampaign]:
    """The letter campaigns of these organisations (an organiser's own), newest first."""
    query = (
        select(LetterCampaign)
        .where(col(LetterCampaign.organisation_id).in_(organisation_ids))
        .order_by(col(LetterCampaign.id).desc())
    )
    return list(session.exec(query).all())


def targets(session: Session, campaign: LetterCampaign) -> list[Official]:
    """The officials a campaign writes to, by name."""
    query = (
        select(Official)
        .join(CampaignTarget, col(CampaignTarget.official_id) == col(Official.id))
        .where(CampaignTarget.campaign_id == campaign.id)
        .order_by(col(Official.name))
    )
    return list(session.exec(query).all())


def save_campaign(
    session: Session,
    *,
    form: CampaignForm,
    campaign: LetterCampaign | None = None,
    organisation_id: int | None = None,
) -> LetterCampaign:
    """Create (in the organisation `organisation_id`) or change a campaign; its targets become
    exactly the officials chosen. A campaign stays in its organisation."""
    if campaign is None:
        if organisation_id is None:
            raise ValueError("a new campaign needs its organisation")
        campaign = LetterCampaign(
            slug=str(form.values["slug"]), title="", organisation_id=organisation_id
        )
    for name, value in form.values.items():
        setattr(campaign, name, value)
    if prisoner_by_id(session, campaign.prisoner_id) is None:
        campaign.prisoner_id = None  # an id typed by hand that the register does not have
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.flush()
    session.execute(delete(CampaignTarget).where(col(CampaignTarget.campaign_id) == campaign.id))
    known = set(
        session.exec(select(Official.id).where(col(Official.id).in_(form.official_ids))).all()
    )
    for official_id in form.official_ids:
        if official_id in known:
            session.add(CampaignTarget(campaign_id=campaign.id, official_id=official_id))  # type: ignore[arg-type]
    session.flush()
    return campaign


def slug_taken(session: Session, slug: str, *, except_id: int | None) -> bool:
    """Whether another campaign already uses the slug."""
    query = select(LetterCampaign.id).where(LetterCampaign.slug == slug)
    if except_id is not None:
        query = query.where(LetterCampaign.id != except_id)
    return session.exec(query).first() is not None


def templates_of(session: Session, campaign: LetterCampaign) -> list[LetterTemplate]:
    """The campaign's templates, one per language."""
    query = (
        select(LetterTemplate)
        .where(LetterTemplate.campaign_id == campaign.id)
        .order_by(col(LetterTemplate.language))
    )
    return list(session.exec(query).all())


def save_template(
    session: Session, *, campaign: LetterCampaign, values: dict[str, str]
) -> LetterTemplate:
    """Store the campaign's template for a language (replacing the one there was)."""
    assert campaign.id is not None
    query = select(LetterTemplate).where(
        LetterTemplate.campaign_id == campaign.id, LetterTemplate.language == values["language"]
    )
    template = session.exec(query).first()
    if template is None:
        template = LetterTemplate(
            campaign_id=campaign.id, language=values["language"], subjects="", body=""
        )
    template.subjects = values["subjects"]
    template.body = values["body"]
    template.updated_at = utcnow()
    session.add(template)
    session.flush()
    return template


def preview_values(session: Session, campaign: LetterCampaign, language: str) -> dict[str, str]:
    """The campaign's own values for a preview in the language: its first official as the
    language writes them, and its prisoner's name there (the samples fill in the rest)."""
    values: dict[str, str] = {}
    officials = targets(session, campaign)
    if officials:
        words = words_for(officials[0], language)
        values |= {"official_name": words.name, "official_title": words.title}
        values["salutation"] = words.salutation
    prisoner = prisoner_names(session, campaign, [language])[language]
    if prisoner:
        values["prisoner_name"] = prisoner
    if campaign.prisoner_details:
        values["prisoner_details"] = campaign.prisoner_details
    return values


def preview(values: dict[str, str], *, today: date, own: dict[str, str] | None = None) -> Preview:
    """The letter as a supporter would see it, with the campaign's own values where given and
    sample values for the rest (the template is valid)."""
    context = {**sample_context(values["language"], today), **(own or {})}
    subjects = [render_template(line, context) for line in values["subjects"].splitlines()]
    return Preview(subjects=subjects, body=render_template(values["body"], context))


def language_gaps(session: Session, campaign: LetterCampaign) -> dict[str, list[str]]:
    """Per template language, what its letters lack to read in that language alone."""
    return gaps(session, campaign, targets(session, campaign), templates_of(session, campaign))


def publish_refusal(session: Session, campaign: LetterCampaign) -> str | None:
    """Why the campaign cannot open yet, or None: it needs an official and a template, and
    every letter in each of its languages written in that language alone."""
    if not targets(session, campaign) or not templates_of(session, campaign):
        return _("A campaign opens only with at least one official and one template.")
    found = language_gaps(session, campaign)
    return gaps_message(found) if found else None


def change_status(session: Session, *, campaign: LetterCampaign, action: str) -> bool:
    """Open a campaign (see publish_refusal) or close it; False if not possible."""
    if action == "publish" and campaign.status in {CampaignStatus.draft, CampaignStatus.closed}:
        if publish_refusal(session, campaign) is not None:
            return False
        campaign.status = CampaignStatus.open
    elif action == "close" and campaign.status == CampaignStatus.open:
        campaign.status = CampaignStatus.closed
    else:
        return False
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.flush()
    return True
