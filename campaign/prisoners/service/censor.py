"""The prison censor's rules per country, from censor_rules.toml (which organisers edit): the
languages and alphabets a prison hands over, and the words that get a letter thrown away, found
in a letter before it is printed. Nothing is kept: the text lives only in the request."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.lists import format_list

from campaign.core.i18n import _
from campaign.core.scripts import script_of_char, script_of_language
from campaign.prisoners.service.phrasebook import LETTER_LANGUAGES

RULES = Path(__file__).parent.parent / "censor_rules.toml"
ANY = "any"  # words checked in every country, such as Latin spellings of names
# Own words with more of their letters than this outside the censor's alphabets are refused
# (a letter in English is not handed over); fewer such words are warned about one by one.
REFUSED_SHARE = 0.3
ALPHABET_RULE = "alphabet"
_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")


def normalise(word: str) -> str:
    """A word as it is matched: lower case, the letter yo as ye, one kind of apostrophe."""
    return word.casefold().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


@dataclass(frozen=True)
class Pattern:
    """A listed word, or words in a row; each part exact, or a stem when it ended in *."""

    parts: tuple[tuple[str, bool], ...]

    @classmethod
    def parse(cls, entry: str) -> Pattern:
        pieces = normalise(entry).replace("-", " ").split()
        parts = tuple((piece.rstrip("*"), piece.endswith("*")) for piece in pieces)
        # A stem of a letter or two would flag half of any letter.
        if not parts or any(len(stem) < (3 if prefix else 1) for stem, prefix in parts):
            raise ValueError(f"{RULES.name}: {entry!r} is too short to match on")
        return cls(parts)

    def length_at(self, words: list[str], start: int) -> int:
        """How many words it matches from `start` on; 0 when it does not match there."""
        ahead = words[start : start + len(self.parts)]
        if len(ahead) < len(self.parts):
            return 0
        for (stem, prefix), word in zip(self.parts, ahead, strict=True):
            if not (word.startswith(stem) if prefix else word == stem):
                return 0
        return len(self.parts)


@dataclass(frozen=True)
class Rule:
    """Something that gets letters thrown away: why, in each interface language, and its words
    in each letter language (and `any`)."""

    id: str
    reason: Mapping[str, str]
    words: Mapping[str, tuple[Pattern, ...]]

    def reason_in(self, locale: str) -> str:
        return self.reason.get(locale) or self.reason["en"]


@dataclass(frozen=True)
class Censor:
    """One country's censor: the letter languages and alphabets it hands over, and the words it
    holds letters back for, each with its rule."""

    country: str
    languages: tuple[str, ...]
    scripts: frozenset[str]
    patterns: tuple[tuple[Pattern, Rule], ...]


@dataclass(frozen=True)
class Rulebook:
    countries: Mapping[str, Censor]
    rules: tuple[Rule, ...]


@cache
def load_rules(path: Path = RULES) -> Rulebook:
    """Every country and rule in the file; a broken file fails loudly at first use."""
    with path.open("rb") as source:
        data = tomllib.load(source)
    rules = tuple(
        Rule(
            id=entry["id"],
            reason=dict(entry["reason"]),
            words={
                language: tuple(Pattern.parse(word) for word in words)
                for language, words in entry["words"].items()
            },
        )
        for entry in data["rule"]
    )
    if len({rule.id for rule in rules}) != len(rules) or ALPHABET_RULE in {r.id for r in rules}:
        raise ValueError(f"{path}: rule ids must be unique and not {ALPHABET_RULE!r}")
    countries = {}
    for code, entry in data["country"].items():
        languages = tuple(entry["languages"])
        if not languages or set(languages) - set(LETTER_LANGUAGES):
            raise ValueError(f"{path}: {code} may only hand over {LETTER_LANGUAGES}")
        patterns = tuple(
            (pattern, rule)
            for rule in rules
            for language in (*languages, ANY)
            for pattern in rule.words.get(language, ())
        )
        countries[code] = Censor(code, languages, frozenset(entry["scripts"]), patterns)
    return Rulebook(countries, rules)


def censor_for(country: str) -> Censor:
    """The censor of a country; one not in the file checks only the letter languages' alphabet."""
    known = load_rules().countries.get(country)
    if known:
        return known
    scripts = frozenset(script_of_language(language) for language in LETTER_LANGUAGES)
    return Censor(country, LETTER_LANGUAGES, scripts, ())


def languages_named(censor: Censor, locale: str) -> str:
    """The letter languages the censor hands over, named in the interface language: "Russian
    or Belarusian"."""
    names = [Locale.parse(code).get_display_name(locale) or code for code in censor.languages]
    return format_list(names, style="or", locale=locale)


def alphabet_named(censor: Censor) -> str:
    """The censor's alphabet as the volunteer calls it."""
    names = {"Cyrl": _("Cyrillic"), "Latn": _("Latin")}
    return " / ".join(sorted(names.get(script, script) for script in censor.scripts))


def foreign_words(text: str, censor: Censor) -> tuple[float, list[re.Match[str]]]:
    """The share of the text's letters outside the censor's alphabets, and the words that
    hold such letters (a Latin "i" slipped into a Cyrillic word counts too)."""
    letters = foreign = 0
    for char in text:
        if char.isalpha():
            letters += 1
            foreign += script_of_char(char) not in censor.scripts
    words = [
        match
        for match in _WORD.finditer(text)
        if any(c.isalpha() and script_of_char(c) not in censor.scripts for c in match.group())
    ]
    return (foreign / letters if letters else 0.0), words


@dataclass(frozen=True)
class Finding:
    """A rule the letter breaks, numbered as listed under it, with the words found."""

    number: int
    rule: str
    reason: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Hit:
    """Where in the letter a finding's word is."""

    start: int
    end: int
    number: int


@dataclass(frozen=True)
class Report:
    """What the censor would object to in a letter."""

    findings: tuple[Finding, ...] = ()
    hits: tuple[Hit, ...] = ()

    @property
    def fingerprint(self) -> str:
        """The findings in short: "I have read the warnings" counts for these only, so a word
        added after the tick is shown before anything is printed."""
        seen = sorted({f"{f.rule}:{normalise(word)}" for f in self.findings for word in f.words})
        return hashlib.sha256("\n".join(seen).encode()).hexdigest()[:16]


def check(letter: str, *, own_text: str, censor: Censor, locale: str) -> Report:
    """The censor's objections to a letter: listed words anywhere in it, and words of the
    volunteer's own text in another alphabet, in the order of the rules."""
    tokens = list(_WORD.finditer(letter))
    words = [normalise(token.group()) for token in tokens]
    spans: dict[str, list[tuple[int, int]]] = {}
    reasons: dict[str, str] = {}
    offset = letter.find(own_text) if own_text else -1
    foreign = foreign_words(own_text, censor)[1] if offset >= 0 else []
    for match in foreign:
        spans.setdefault(ALPHABET_RULE, []).append((offset + match.start(), offset + match.end()))
    if foreign:
        reasons[ALPHABET_RULE] = _(
            "Not in %(alphabet)s letters: the censor may hold back what it cannot read. Write "
            "these words in %(alphabet)s letters too, names as well.",
            alphabet=alphabet_named(censor),
        )
    for index in range(len(tokens)):
        for pattern, rule in censor.patterns:
            length = pattern.length_at(words, index)
            if length:
                end = tokens[index + length - 1].end()
                spans.setdefault(rule.id, []).append((tokens[index].start(), end))
                reasons[rule.id] = rule.reason_in(locale)
    order = [ALPHABET_RULE, *(rule.id for rule in load_rules().rules)]
    findings: list[Finding] = []
    hits: list[Hit] = []
    for rule_id in sorted(spans, key=order.index):
        number = len(findings) + 1
        found = dict.fromkeys(spans[rule_id])  # a word two patterns find is one hit
        shown: dict[str, str] = {}  # each word once, as first typed
        for start, end in found:
            shown.setdefault(normalise(letter[start:end]), letter[start:end])
        findings.append(Finding(number, rule_id, reasons[rule_id], tuple(shown.values())))
        hits.extend(Hit(start, end, number) for start, end in found)
    return Report(tuple(findings), tuple(hits))


Piece = tuple[str, int | None]


def marked(letter: str, hits: tuple[Hit, ...]) -> list[list[Piece]]:
    """The letter's paragraphs as pieces of text, each with the number of the finding it marks
    (None: not marked); where two findings overlap, the one that starts first is marked."""
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if not chosen or hit.start >= chosen[-1].end:
            chosen.append(hit)
    paragraphs: list[list[Piece]] = []
    start = 0
    for paragraph in letter.split("\n\n"):
        end = start + len(paragraph)
        pieces: list[Piece] = []
        cursor = start
        for hit in chosen:
            if hit.start >= cursor and hit.end <= end:
                if hit.start > cursor:
                    pieces.append((letter[cursor : hit.start], None))
                pieces.append((letter[hit.start : hit.end], hit.number))
                cursor = hit.end
        if cursor < end:
            pieces.append((letter[cursor:end], None))
        paragraphs.append(pieces)
        start = end + 2
    return paragraphs
