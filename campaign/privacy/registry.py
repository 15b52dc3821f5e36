"""The contract for a supporter's rights: each domain that stores something about a person
registers a section saying what it holds about an address (by its keyed hash), how the page
names it, and how it is erased; and a retention rule that erases what has been kept long
enough. `privacy/service.py` asks every section in turn; nothing here knows a domain, and
`site/wiring.py` registers the domains' sections at start."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlmodel import Session

from campaign.core.settings import Settings


@dataclass(frozen=True)
class Section:
    """What one domain holds about an address.

    `key` names it in the download; `holdings` returns plain JSON-able data, or an empty value
    when nothing is held; `lines` says it in a line per item for the page, in the reader's
    language (Markup where a line mixes translated text and data); `erase` removes who the
    address was and returns how many rows it changed, recorded in the audit trail under
    `erased_key`.
    """

    key: str
    erased_key: str
    holdings: Callable[[Session, str], Any]
    lines: Callable[[Any], Sequence[str]]
    erase: Callable[[Session, str], int]


class Holder(Protocol):
    """A domain's module that answers for what it holds about an address (its retention.py)."""

    def holdings(self, session: Session, index: str) -> Any: ...
    def holdings_lines(self, held: Any) -> Sequence[str]: ...
    def erase_address(self, session: Session, index: str) -> int: ...


def section(key: str, erased_key: str, holder: Holder) -> Section:
    """The section whose holdings, lines and erasure are the holder module's functions."""
    return Section(key, erased_key, holder.holdings, holder.holdings_lines, holder.erase_address)


@dataclass(frozen=True)
class RetentionRule:
    """Personal data erased once it has been kept long enough: `anonymise_due` erases what is
    due now (the worker runs it) and returns how many people's data it erased."""

    name: str
    anonymise_due: Callable[..., int]  # (session, *, settings: Settings) -> int


SECTIONS: dict[str, Section] = {}
RETENTION: dict[str, RetentionRule] = {}


def register_section(section: Section) -> None:
    """Ask this section about every address from now on; the same section twice changes nothing."""
    _register(SECTIONS, section.key, section)


def register_retention(rule: RetentionRule) -> None:
    """Run this rule with the worker's retention job; the same rule twice changes nothing."""
    _register(RETENTION, rule.name, rule)


def anonymise_all_due(session: Session, *, settings: Settings) -> int:
    """Run every retention rule; how many people's data was erased in all."""
    return sum(rule.anonymise_due(session, settings=settings) for rule in RETENTION.values())


def _register(registry: dict[str, Any], name: str, item: Any) -> None:
    known = registry.setdefault(name, item)
    if known is not item and known != item:
        raise ValueError(f"{name!r} is registered already")
