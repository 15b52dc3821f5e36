"""The phrasebook: phrases a volunteer ticks in their own language, written into the letter in
Russian or Belarusian, and the letter assembled from them (the volunteer's choices are checked
in forms.py).

The phrases live in campaign/prisoners/phrasebook.toml; organisers edit that file, and a test
checks that every phrase still has its text in both letter languages and all seven meanings.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from campaign.core.i18n import _

if TYPE_CHECKING:
    from campaign.prisoners.forms import Draft

PHRASEBOOK = Path(__file__).parent.parent / "phrasebook.toml"
CATEGORIES = ("greeting", "wish", "everyday", "birthday", "holiday", "signoff")
LETTER_LANGUAGES = ("ru", "be")


@dataclass(frozen=True)
class Phrase:
    """One phrase: its text in each letter language, and what it means in each UI language."""

    id: str
    category: str
    text: Mapping[str, str]
    meaning: Mapping[str, str]


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
