"""How a letter in one language names and greets its official and the prisoner it is about,
and what a campaign still lacks before its letters in a language read as one language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from campaign.core.i18n import _, language_name, using
from campaign.core.scripts import fits_language
from campaign.letters.models import LetterCampaign, LetterTemplate, Official
from campaign.letters.service.letter_templates import variables_used
from campaign.prisoners.service.prisoners import name_in, prisoner_by_id

FORM_FIELDS = ("name", "title", "salutation")

# A greeting that needs neither the addressee's gender nor a case of their title, for an
# official whose salutation in the language is not recorded (publishing asks for one).
NEUTRAL_SALUTATIONS = {
    "en": "Dear Sir or Madam",
    "ru": "Здравствуйте",
    "be": "Добры дзень",
    "uk": "Доброго дня",
    "pl": "Szanowni Państwo",
    "lt": "Laba diena",
    "de": "Guten Tag",
}


@dataclass(frozen=True)
class OfficialWords:
    """An official as a letter in one language writes them."""

    name: str
    title: str
    salutation: str

    @property
    def heading(self) -> str:
        """Name and title on one line, the title left out where the name already says it."""
        if not self.title or self.title.casefold() in self.name.casefold():
            return self.name
        return f"{self.name}, {self.title}"


def recorded(official: Official, language: str) -> dict[str, str]:
    """The forms written down for the language (name and title of the official's own language
    count for it), keeping only those in the language's script."""
    own = {"name": official.name, "title": official.title}
    values = own if language == official.language else {}
    values = {**values, **{k: v for k, v in (official.forms or {}).get(language, {}).items() if v}}
    return {
        field: values[field].strip()
        for field in FORM_FIELDS
        if values.get(field, "").strip() and fits_language(values[field], language)
    }


def neutral_salutation(language: str) -> str:
    """A greeting in the language that fits any addressee."""
    if language in NEUTRAL_SALUTATIONS:
        return NEUTRAL_SALUTATIONS[language]
    with using(language):
        return _("Dear Sir or Madam")


def words_for(official: Official, language: str) -> OfficialWords:
    """The official in a letter of this language: the recorded forms, else the register's own
    name and title and a neutral greeting (a campaign that lacks forms does not open)."""
    found = recorded(official, language)
    return OfficialWords(
        name=found.get("name", official.name),
        title=found.get("title", "" if "name" in found else official.title),
        salutation=found.get("salutation", neutral_salutation(language)),
    )


def prisoner_names(
    session: Session, campaign: LetterCampaign, languages: Sequence[str]
) -> dict[str, str]:
    """The prisoner's name in each language: from the register when the campaign names a
    prisoner there (empty where no form fits), else the campaign's own text."""
    prisoner = prisoner_by_id(session, campaign.prisoner_id)
    if prisoner is None:
        return {language: campaign.prisoner_name for language in languages}
    return {language: name_in(prisoner, language) for language in languages}


def gaps(
    session: Session,
    campaign: LetterCampaign,
    officials: Sequence[Official],
    templates: Sequence[LetterTemplate],
) -> dict[str, list[str]]:
    """Per template language, what would make its letters fall back to another language or
    mix scripts: the officials' missing forms, the prisoner's name, the campaign's details."""
    found: dict[str, list[str]] = {}
    prisoners = prisoner_names(session, campaign, [t.language for t in templates])
    for template in templates:
        language = template.language
        used = variables_used(template.subjects) | variables_used(template.body)
        needed = ["name"]
        needed += [f for f in ("title", "salutation") if f in used or f"official_{f}" in used]
        missing = []
        for official in officials:
            forms = recorded(official, language)
            for field in needed:
                if field not in forms:
                    missing.append(_missing_form(official.name, field))
        name = prisoners[language]
        from_register = campaign.prisoner_id is not None
        if "prisoner_name" in used and (
            not fits_language(name, language) or (from_register and not name)
        ):
            missing.append(_("The prisoner's name is not written in this language."))
        if "prisoner_details" in used and not fits_language(campaign.prisoner_details, language):
            missing.append(_("The prisoner's details are not written in this language."))
        if missing:
            found[language] = missing
    return found


def _missing_form(official: str, field: str) -> str:
    if field == "name":
        return _("%(official)s has no name in this language.", official=official)
    if field == "title":
        return _("%(official)s has no title in this language.", official=official)
    return _("%(official)s has no salutation in this language.", official=official)


def gaps_message(found: dict[str, list[str]]) -> str:
    """The refusal to open, listing what each language lacks."""
    parts = [f"{language_name(language)}: {' '.join(items)}" for language, items in found.items()]
    return _(
        "The campaign cannot open: its letters would mix languages. Add what is missing in the "
        "register of officials (or the prisoners' register), or remove the template. %(missing)s",
        missing=" ".join(parts),
    )
