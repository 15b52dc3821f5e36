"""Writing systems: which script a language is written in, and which one a text is written in,
so that a letter in Russian is not filled with Latin names or a supporter's English words."""

from __future__ import annotations

import unicodedata
from functools import cache

from babel.core import get_global

# Below this many letters a text is too short to tell (an initial, a number, "OK").
ENOUGH_LETTERS = 4


@cache
def script_of_language(language: str) -> str:
    """The ISO 15924 script a language is usually written in ("Cyrl" for ru), "" if unknown."""
    likely = get_global("likely_subtags").get(language.lower(), "")
    parts = likely.split("_")
    return parts[1] if len(parts) > 1 and len(parts[1]) == 4 else ""


_NAMES = {"LATIN": "Latn", "CYRILLIC": "Cyrl", "GREEK": "Grek", "GEORGIAN": "Geor"}
_NAMES |= {"ARMENIAN": "Armn", "HEBREW": "Hebr", "ARABIC": "Arab"}


def script_of_char(char: str) -> str:
    """The ISO 15924 script of a letter ("Cyrl" for я), "Other" for one not named here."""
    name = unicodedata.name(char, "")
    return _NAMES.get(name.split(" ", 1)[0], "Other")


def script_of_text(text: str) -> str:
    """The script most of a text's letters are in; "" when it has too few letters to tell."""
    counts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            script = script_of_char(char)
            counts[script] = counts.get(script, 0) + 1
    if sum(counts.values()) < ENOUGH_LETTERS:
        return ""
    return max(counts, key=lambda script: counts[script])


def fits_language(text: str, language: str) -> bool:
    """Whether a text is written in the language's script (or is too short to tell)."""
    expected = script_of_language(language)
    found = script_of_text(text)
    return not expected or not found or found == expected
