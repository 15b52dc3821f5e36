"""A supporter's letters: who receives them, and each one written from the campaign's template."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote, urlencode

from babel.dates import format_date
from sqlmodel import Session, col, select

from campaign.core.countries import country_name
from campaign.core.i18n import _, using
from campaign.core.web import FormErrors
from campaign.letters.forms import Writer, parse_writer
from campaign.letters.models import (
    EmailStatus,
    LetterCampaign,
    LetterTemplate,
    Official,
    OfficialEmail,
    TargetMode,
)
from campaign.letters.service.campaigns import targets, templates_of
from campaign.letters.service.letter_templates import render_template

BODY_MAX = 10_000
SUBJECT_MAX = 300


class Channel:
    """How a supporter's letters travel."""

    email = "email"
    mailto = "mailto"
    print = "print"


@dataclass(frozen=True)
class Draft:
    """One letter to one official, as the supporter will send it."""

    official: Official
    language: str
    subject: str
    body: str

    @property
    def official_id(self) -> int:
        """The official's id (drafts are made for stored officials only)."""
        assert self.official.id is not None
        return self.official.id


def email_addresses(session: Session, officials: list[Official]) -> dict[int, str]:
    """The first active e-mail address of each official that has one."""
    ids = [official.id for official in officials if official.id is not None]
    rows = session.exec(
        select(OfficialEmail.official_id, OfficialEmail.address)
        .where(col(OfficialEmail.official_id).in_(ids), OfficialEmail.status == EmailStatus.active)
        .order_by(col(OfficialEmail.id))
    ).all()
    addresses: dict[int, str] = {}
    for official_id, address in rows:
        addresses.setdefault(official_id, address)
    return addresses


def reachable(official: Official, channel: str, addresses: Mapping[int, str]) -> bool:
    """Whether a letter can reach the official this way (an address to mail or post to)."""
    if channel == Channel.print:
        return bool(official.postal_address.strip())
    return official.id in addresses


def channels(
    campaign: LetterCampaign, officials: list[Official], addresses: Mapping[int, str]
) -> list[str]:
    """The ways the campaign allows that reach at least one of its officials."""
    allowed = [
        name
        for name, on in (
            (Channel.email, campaign.allow_email),
            (Channel.mailto, campaign.allow_mailto),
            (Channel.print, campaign.allow_print),
        )
        if on
    ]
    return [c for c in allowed if any(reachable(o, c, addresses) for o in officials)]


def recipients(
    session: Session, campaign: LetterCampaign, *, country: str, seed: str
) -> list[Official]:
    """Who this supporter writes to: every target, or one by country or picked at random.

    The random pick is seeded by the supporter's own details, so the review page and the
    letters sent after it name the same official.
    """
    officials = targets(session, campaign)
    if campaign.target_mode == TargetMode.all or len(officials) <= 1:
        return officials
    pool = officials
    if campaign.target_mode == TargetMode.by_country:
        pool = [o for o in officials if o.country == country] or officials
    digest = hashlib.sha256(f"{campaign.id}|{seed}".encode()).digest()
    return [random.Random(digest).choice(pool)]  # noqa: S311 - fairness, not secrecy


def pick_template(templates: list[LetterTemplate], *languages: str) -> LetterTemplate | None:
    """The template in the first of the languages that has one; else English; else the first."""
    by_language = {template.language: template for template in templates}
    for language in (*languages, "en"):
        if language in by_language:
            return by_language[language]
    return templates[0] if templates else None


def salutation(official: Official, language: str) -> str:
    """ "Dear Prosecutor General" in the letter's language (the name when there is no title)."""
    with using(language):
        return _("Dear %(title)s", title=official.title or official.name)


def letter_date(day: date, language: str) -> str:
    """The date as the letter's language writes it."""
    return format_date(day, format="long", locale=language)


def letter_context(
    campaign: LetterCampaign, writer: Writer, official: Official, language: str, today: date
) -> dict[str, str]:
    """The values a template is filled with for one letter."""
    return {
        "supporter_name": writer.name,
        "supporter_city": writer.city,
        "supporter_country": country_name(writer.country, language),
        "official_name": official.name,
        "official_title": official.title,
        "salutation": salutation(official, language),
        "prisoner_name": campaign.prisoner_name,
        "prisoner_details": campaign.prisoner_details,
        "personal_paragraph": writer.paragraph,
        "date": letter_date(today, language),
    }


def compose(
    session: Session,
    campaign: LetterCampaign,
    writer: Writer,
    officials: list[Official],
    *,
    locale: str,
    today: date,
) -> list[Draft]:
    """The letters to each official: in the official's language when the campaign has it,
    else the supporter's; one of the subject lines, picked per letter."""
    templates = templates_of(session, campaign)
    drafts = []
    for official in officials:
        template = pick_template(templates, official.language, locale)
        if template is None:
            continue
        context = letter_context(campaign, writer, official, template.language, today)
        subjects = template.subjects.splitlines()
        chooser = random.Random(f"{writer.name}|{official.id}")  # noqa: S311 - variety only
        subject = render_template(chooser.choice(subjects), context)
        drafts.append(
            Draft(official, template.language, subject, render_template(template.body, context))
        )
    return drafts


def apply_edits(
    campaign: LetterCampaign, drafts: list[Draft], raw: Mapping[str, str]
) -> tuple[list[Draft], FormErrors]:
    """The drafts with the supporter's own wording (unless the campaign locks the text).

    Errors are keyed `body-<official id>`, so each shows next to its letter.
    """
    errors = FormErrors()
    if campaign.body_locked:
        return drafts, errors
    edited = []
    for draft in drafts:
        key = f"body-{draft.official.id}"
        body = raw.get(key, draft.body).replace("\r\n", "\n").strip()
        if not body:
            errors.add(key, _("Write the letter."))
        elif len(body) > BODY_MAX:
            errors.add(key, _("Use at most %(count)s characters.", count=BODY_MAX))
        elif "{{" in body or "{%" in body:
            errors.add(key, _("Replace the placeholders in {{ }} with your own words."))
        edited.append(replace(draft, body=body))
    return edited, errors


@dataclass(frozen=True)
class Letters:
    """What the review page and each way of sending start from."""

    writer: Writer | None
    drafts: list[Draft]
    channels: list[str]
    addresses: dict[int, str]
    errors: FormErrors


def prepare(
    session: Session,
    campaign: LetterCampaign,
    raw: Mapping[str, str],
    *,
    locale: str,
    today: date,
) -> Letters:
    """Check the writer's fields and write their letters (with their edits, if any)."""
    writer, errors = parse_writer(raw, campaign)
    if writer is None:
        return Letters(None, [], [], {}, errors)
    officials = recipients(session, campaign, country=writer.country, seed=writer.name)
    addresses = email_addresses(session, officials)
    drafts = compose(session, campaign, writer, officials, locale=locale, today=today)
    drafts, errors = apply_edits(campaign, drafts, raw)
    return Letters(writer, drafts, channels(campaign, officials, addresses), addresses, errors)


def reachable_drafts(letters: Letters, channel: str) -> list[Draft]:
    """The letters that can go this way (an official may lack an e-mail or postal address)."""
    return [d for d in letters.drafts if reachable(d.official, channel, letters.addresses)]


def mailto_link(address: str, draft: Draft) -> str:
    """A mailto: link that opens the supporter's own mail program with the letter filled in."""
    query = urlencode({"subject": draft.subject, "body": draft.body}, quote_via=quote)
    return f"mailto:{quote(address, safe='@')}?{query}"
