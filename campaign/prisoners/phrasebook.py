"""The phrasebook: phrases a volunteer ticks in their own language, written into the letter in
Russian or Belarusian, and the letter assembled from them.

The phrases live in phrasebook.toml beside this module; organisers edit that file, and a test
checks that every phrase still has its text in both letter languages and all seven meanings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from campaign.core.i18n import _
from campaign.core.web import FormErrors

PHRASEBOOK = Path(__file__).with_name("phrasebook.toml")
CATEGORIES = ("greeting", "wish", "everyday", "birthday", "holiday", "signoff")
LETTER_LANGUAGES = ("ru", "be")
OWN_TEXT_MAX = 3000
SIGNATURE_MAX = 60


@dataclass(frozen=True)
class Phrase:
    """One phrase: its text in each letter language, and what it means in each UI language."""

    id: str
    category: str
    text: Mapping[str, str]
    meaning: Mapping[str, str]


@dataclass(frozen=True)
class Draft:
    """What the volunteer chose, checked."""

    language: str
    phrases: list[Phrase]
    own_text: str
    signature: str


def category_names() -> dict[str, str]:
    """The categories' headings in the current language, in letter order."""
    return {
        "greeting": _("Greetings"),
        "wish": _("Wishes"),
        "everyday": _("Everyday topics"),
        "birthday": _("Birthday wishes"),
        "holiday": _("Holiday wishes"),
        "signoff": _("Sign-offs"),
    }


@cache
def load_phrasebook(path: Path = PHRASEBOOK) -> tuple[Phrase, ...]:
    """Every phrase in the file, in file order; a broken file fails loudly at first use."""
    with path.open("rb") as source:
        data = tomllib.load(source)
    phrases = tuple(
        Phrase(
            id=entry["id"],
            category=entry["category"],
            text={language: entry[language] for language in LETTER_LANGUAGES},
            meaning=dict(entry["meaning"]),
        )
        for entry in data["phrase"]
    )
    unknown = {p.category for p in phrases} - set(CATEGORIES)
    if unknown:
        raise ValueError(f"{path}: unknown categories {sorted(unknown)}")
    return phrases


def by_category() -> dict[str, list[Phrase]]:
    """The phrases grouped by category, categories in letter order."""
    groups: dict[str, list[Phrase]] = {category: [] for category in CATEGORIES}
    for phrase in load_phrasebook():
        groups[phrase.category].append(phrase)
    return groups


def _mostly_latin(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if ch.isascii())
    return bool(letters) and latin / len(letters) > 0.3


def parse_draft(raw: Mapping[str, str], chosen: list[str]) -> tuple[Draft | None, FormErrors]:
    """Check the helper's form: letter language, ticked phrases, the volunteer's own words."""
    errors = FormErrors()
    language = raw.get("language", "ru")
    if language not in LETTER_LANGUAGES:
        errors.add("language", _("Choose Russian or Belarusian."))
    known = {phrase.id: phrase for phrase in load_phrasebook()}
    phrases = [known[pid] for pid in dict.fromkeys(chosen) if pid in known]
    own_text = raw.get("own_text", "").replace("\r\n", "\n").strip()
    signature = " ".join(raw.get("signature", "").split())
    if len(own_text) > OWN_TEXT_MAX:
        errors.add("own_text", _("Use at most %(count)s characters.", count=OWN_TEXT_MAX))
    elif _mostly_latin(own_text):
        errors.add(
            "own_text",
            _(
                "Write your own words in Russian or Belarusian (Cyrillic letters): "
                "letters in other languages are not handed over."
            ),
        )
    if len(signature) > SIGNATURE_MAX:
        errors.add("signature", _("Use at most %(count)s characters.", count=SIGNATURE_MAX))
    if not phrases and not own_text and "own_text" not in errors:
        errors.add("phrases", _("Choose at least one phrase or write a few words of your own."))
    if errors:
        return None, errors
    return Draft(
        language if language in LETTER_LANGUAGES else "ru", phrases, own_text, signature
    ), errors


def assemble(draft: Draft) -> str:
    """The letter: greetings first, then wishes, news and the volunteer's words, sign-off last."""
    order = {category: index for index, category in enumerate(CATEGORIES)}
    ordered = sorted(draft.phrases, key=lambda phrase: order[phrase.category])
    head = [p.text[draft.language] for p in ordered if p.category == "greeting"]
    middle = [p.text[draft.language] for p in ordered if p.category not in {"greeting", "signoff"}]
    tail = [p.text[draft.language] for p in ordered if p.category == "signoff"]
    paragraphs = [" ".join(head), " ".join(middle), draft.own_text, "\n".join(tail)]
    if draft.signature:
        paragraphs.append(draft.signature)
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)
