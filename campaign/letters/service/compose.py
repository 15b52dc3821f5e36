"""A supporter's letters: who receives them, and each one written from the campaign's template."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import quote, urlencode

from sqlmodel import Session, col, select

from campaign.core.countries import country_name
from campaign.core.i18n import _, language_name
from campaign.core.scripts import fits_language
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
from campaign.letters.service.letter_templates import letter_date, render_template
from campaign.letters.service.wording import OfficialWords, prisoner_names, words_for

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
    words: OfficialWords  # the official as this letter's language writes them

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


def letter_context(
    campaign: LetterCampaign,
    writer: Writer,
    words: OfficialWords,
    *,
    language: str,
    prisoner: str,
    today: date,
) -> dict[str, str]:
    """The values a template is filled with for one letter, all in the letter's language."""
    return {
        "supporter_name": writer.name,
        "supporter_city": writer.city,
        "supporter_country": country_name(writer.country, language),
        "official_name": words.name,
        "official_title": words.title,
        "salutation": words.salutation,
        "prisoner_name": prisoner,
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
    chosen: Mapping[int, str] | None = None,
) -> list[Draft]:
    """The letters to each official: in the language the supporter chose for it, else the
    official's when the campaign has it, else the supporter's; one subject line per letter."""
    templates = templates_of(session, campaign)
    prisoners = prisoner_names(session, campaign, [t.language for t in templates])
    drafts = []
    for official in officials:
        choice = (chosen or {}).get(official.id or 0, "")
        template = pick_template(templates, choice, official.language, locale)
        if template is None:
            continue
        words = words_for(official, template.language)
        context = letter_context(
            campaign,
            writer,
            words,
            language=template.language,
            prisoner=prisoners[template.language] or campaign.prisoner_name,
            today=today,
        )
        subjects = template.subjects.splitlines()
        chooser = random.Random(f"{writer.name}|{official.id}")  # noqa: S311 - variety only
        subject = render_template(chooser.choice(subjects), context)
        body = render_template(template.body, context)
        drafts.append(Draft(official, template.language, subject, body, words))
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
        # A letter switched to another language starts again from that language's template.
        written_in = raw.get(f"written-in-{draft.official.id}", draft.language)
        edit = raw.get(key, draft.body) if written_in == draft.language else draft.body
        body = edit.replace("\r\n", "\n").strip()
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
    languages: list[str] = field(default_factory=list)  # those the campaign has letters in
    # Shown before sending and in the way of it until resolved: words in another alphabet.
    warnings: FormErrors = field(default_factory=FormErrors)

    @property
    def problems(self) -> FormErrors:
        """What stops the letters from going: errors first, then the warnings left."""
        return FormErrors({**self.warnings, **self.errors})


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
    chosen = {o.id: raw.get(f"language-{o.id}", "") for o in officials if o.id is not None}
    drafts = compose(
        session, campaign, writer, officials, locale=locale, today=today, chosen=chosen
    )
    drafts, errors = apply_edits(campaign, drafts, raw)
    warnings = FormErrors()
    if raw.get("paragraph_as_is") != "1":
        warnings = paragraph_mismatch(writer.paragraph, drafts)
    languages = [template.language for template in templates_of(session, campaign)]
    return Letters(
        writer,
        drafts,
        channels(campaign, officials, addresses),
        addresses,
        errors,
        languages,
        warnings,
    )


def paragraph_mismatch(paragraph: str, drafts: list[Draft]) -> FormErrors:
    """A warning on each letter whose supporter's words are in another alphabet than the
    letter (English words in a Russian letter), keyed as the letter's text so it shows there.

    Words rewritten in the letter itself no longer count: only the paragraph as typed, still
    in the letter, is checked. The supporter may also switch the letter's language or send
    the words as they are (paragraph_as_is)."""
    errors = FormErrors()
    for draft in drafts:
        if paragraph and paragraph in draft.body and not fits_language(paragraph, draft.language):
            errors.add(
                f"body-{draft.official.id}",
                _(
                    "Your own words are written in another alphabet than this letter in "
                    "%(language)s. Rewrite them in the letter, choose another language for it, "
                    "or tick “Send my words as they are”.",
                    language=language_name(draft.language),
                ),
            )
    return errors


def reachable_drafts(letters: Letters, channel: str) -> list[Draft]:
    """The letters that can go this way (an official may lack an e-mail or postal address)."""
    return [d for d in letters.drafts if reachable(d.official, channel, letters.addresses)]


def recipient_lines(draft: Draft) -> list[str]:
    """The envelope's address in the letter's language: name, title unless the name says it,
    the institution where written in the letter's script, then the postal address."""
    words = draft.words
    title = "" if words.heading == words.name else words.title
    institution = draft.official.institution
    if not fits_language(institution, draft.language):
        institution = ""
    lines = [words.name, title, institution, *draft.official.postal_address.splitlines()]
    return [line for line in lines if line.strip()]


def mailto_link(address: str, draft: Draft) -> str:
    """A mailto: link that opens the supporter's own mail program with the letter filled in."""
    query = urlencode({"subject": draft.subject, "body": draft.body}, quote_via=quote)
    return f"mailto:{quote(address, safe='@')}?{query}"
