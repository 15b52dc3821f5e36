"""Letter campaigns for organisers: details, targeted officials, templates checked at save."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import available_timezones

import pycountry
from babel import localedata
from sqlalchemy import delete
from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.core.fields import check_day, check_whole, row_id
from campaign.core.i18n import _
from campaign.core.slugs import SLUG_PATTERN, slugify
from campaign.core.web import FormErrors
from campaign.letters.models import (
    CampaignStatus,
    CampaignTarget,
    LetterCampaign,
    LetterTemplate,
    Official,
    PersonalParagraph,
    TargetMode,
)
from campaign.letters.service.letter_templates import (
    check_template,
    render_template,
    sample_context,
)

FLAGS = ("allow_email", "allow_mailto", "allow_print", "body_locked")
# name → (lowest, highest): the delivery settings typed as whole numbers
NUMBERS = {
    "hourly_cap": (1, 10_000),
    "daily_cap": (1, 100_000),
    "send_from_hour": (0, 23),
    "send_until_hour": (1, 24),
}
TEXTS = (
    *("title", "slug", "purpose", "prisoner_name", "prisoner_details"),
    *("target_mode", "personal_paragraph", "timezone"),
)
FIELDS = (*TEXTS, *FLAGS, *NUMBERS, "petition_id", "opens_at", "closes_at")


@dataclass(frozen=True)
class CampaignForm:
    """A checked campaign form: every field of LetterCampaign an organiser sets, and targets."""

    values: dict[str, object]
    official_ids: list[int]


@dataclass(frozen=True)
class Preview:
    subjects: list[str]
    body: str


def parse_campaign_form(
    raw: dict[str, str], official_ids: list[str]
) -> tuple[CampaignForm | None, FormErrors]:
    """Check a campaign form; a CampaignForm, or errors by field."""
    errors = FormErrors()
    title = " ".join(raw.get("title", "").split())
    slug = raw.get("slug", "").strip().lower() or slugify(title)
    if not title or len(title) > 200:
        errors.add(
            "title", _("Give the campaign a title of at most %(count)s characters.", count=200)
        )
    if not SLUG_PATTERN.match(slug) or len(slug) > 80:
        errors.add("slug", _("Use lower-case Latin letters, digits and hyphens."))
    mode = raw.get("target_mode", TargetMode.all.value)
    if mode not in {m.value for m in TargetMode}:
        errors.add("target_mode", _("Choose who receives the letters."))
    flags = {name: raw.get(name) == "1" for name in FLAGS}
    if not (flags["allow_email"] or flags["allow_mailto"] or flags["allow_print"]):
        errors.add("allow_email", _("Allow at least one way of sending letters."))
    if raw.get("personal_paragraph", "optional") not in {p.value for p in PersonalParagraph}:
        errors.add("personal_paragraph", _("Choose whether supporters add their own words."))
    values: dict[str, object] = {
        "title": title,
        "slug": slug,
        "target_mode": mode,
        "purpose": raw.get("purpose", "").replace("\r\n", "\n").strip()[:5000],
        "prisoner_name": " ".join(raw.get("prisoner_name", "").split())[:200],
        "prisoner_details": " ".join(raw.get("prisoner_details", "").split())[:1000],
        "personal_paragraph": raw.get("personal_paragraph", "optional"),
        "petition_id": row_id(raw.get("petition_id", "")),
        **flags,
    }
    for name, (low, high) in NUMBERS.items():
        values[name], problem = check_whole(raw.get(name, ""), low=low, high=high)
        if problem:
            errors.add(name, problem)
    if values["daily_cap"] < values["hourly_cap"]:  # type: ignore[operator]
        errors.add("daily_cap", _("The daily limit cannot be lower than the hourly one."))
    if values["send_from_hour"] == values["send_until_hour"]:
        errors.add("send_until_hour", _("Sending hours must not start and end at the same hour."))
    values["timezone"] = raw.get("timezone", "UTC").strip() or "UTC"
    if values["timezone"] not in available_timezones():
        errors.add("timezone", _("Use a time zone such as Europe/Minsk."))
    for name, end_of_day in (("opens_at", False), ("closes_at", True)):
        values[name], problem = check_day(raw.get(name, ""), end_of_day=end_of_day)
        if problem:
            errors.add(name, problem)
    ids = sorted({n for n in map(row_id, official_ids) if n is not None})
    if errors:
        return None, errors
    return CampaignForm(values, ids), errors


def form_values(campaign: LetterCampaign) -> dict[str, str]:
    """A stored campaign as the form shows it."""
    values = {name: str(getattr(campaign, name)) for name in (*TEXTS, *NUMBERS)}
    values |= {name: "1" for name in FLAGS if getattr(campaign, name)}
    values["petition_id"] = str(campaign.petition_id or "")
    for name in ("opens_at", "closes_at"):
        moment = getattr(campaign, name)
        values[name] = moment.date().isoformat() if moment else ""
    return values


def public_campaign(session: Session, slug: str) -> LetterCampaign | None:
    """A campaign the public may see (open or closed), by its slug."""
    query = select(LetterCampaign).where(
        LetterCampaign.slug == slug,
        col(LetterCampaign.status).in_([CampaignStatus.open, CampaignStatus.closed]),
    )
    return session.exec(query).first()


def open_campaigns(session: Session) -> list[LetterCampaign]:
    """Campaigns that take letters now, newest first."""
    query = (
        select(LetterCampaign)
        .where(LetterCampaign.status == CampaignStatus.open)
        .order_by(col(LetterCampaign.id).desc())
    )
    return [campaign for campaign in session.exec(query).all() if accepts_letters(campaign)]


def accepts_letters(campaign: LetterCampaign) -> bool:
    """Whether supporters can write now: the campaign is open and within its dates."""
    now = utcnow()
    if campaign.status != CampaignStatus.open:
        return False
    if campaign.opens_at is not None and campaign.opens_at > now:
        return False
    return campaign.closes_at is None or campaign.closes_at > now


def all_campaigns(session: Session) -> list[LetterCampaign]:
    """Every letter campaign, newest first."""
    return list(session.exec(select(LetterCampaign).order_by(col(LetterCampaign.id).desc())).all())


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
    session: Session, *, form: CampaignForm, campaign: LetterCampaign | None = None
) -> LetterCampaign:
    """Create or change a campaign; its targets become exactly the officials chosen."""
    campaign = campaign or LetterCampaign(slug=str(form.values["slug"]), title="")
    for name, value in form.values.items():
        setattr(campaign, name, value)
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


def check_letter(
    raw: dict[str, str], *, today: date, campaign: LetterCampaign
) -> tuple[dict[str, str], FormErrors]:
    """Check a template form: language, subjects and body; a template error comes with its line.

    A campaign that asks supporters for their own words needs a place for them in the letter.
    """
    errors = FormErrors()
    language = raw.get("language", "").strip().lower()
    subjects = "\n".join(
        line.strip() for line in raw.get("subjects", "").splitlines() if line.strip()
    )
    body = raw.get("body", "").replace("\r\n", "\n").strip()
    # The date in the letter is written the language's way: Babel must know the language.
    if pycountry.languages.get(alpha_2=language) is None or not localedata.exists(language):
        errors.add("language", _("Use a two-letter language code such as ru."))
        language = "en"
    if not subjects:
        errors.add("subjects", _("Give at least one subject line."))
    if not body:
        errors.add("body", _("Write the letter."))
    # Each letter gets one subject line, rendered alone: each line must work on its own.
    texts = [("subjects", n, line) for n, line in enumerate(subjects.splitlines(), start=1)]
    for name, number, text in [*texts, ("body", 0, body)]:
        problem = check_template(text, language=language, today=today) if text else None
        if problem is not None and name not in errors:
            line = number or problem.line
            where = _("line %(line)s: ", line=line) if line else ""
            errors.add(name, where + problem.message)
    if (
        body
        and "body" not in errors
        and campaign.personal_paragraph != PersonalParagraph.none
        and "personal_paragraph" not in body
    ):
        errors.add(
            "body", _("Put {{ personal_paragraph }} where the supporter's own words should go.")
        )
    return {"language": language, "subjects": subjects, "body": body}, errors


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


def preview(values: dict[str, str], *, today: date) -> Preview:
    """The letter as a supporter would see it, with the sample values (the template is valid)."""
    context = sample_context(values["language"], today)
    subjects = [render_template(line, context) for line in values["subjects"].splitlines()]
    return Preview(subjects=subjects, body=render_template(values["body"], context))


def change_status(session: Session, *, campaign: LetterCampaign, action: str) -> bool:
    """Open a campaign (it needs an official and a template) or close it; False if not possible."""
    if action == "publish" and campaign.status in {CampaignStatus.draft, CampaignStatus.closed}:
        if not targets(session, campaign) or not templates_of(session, campaign):
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
