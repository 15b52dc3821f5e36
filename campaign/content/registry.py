"""The contract for content with a version per language: a domain describes each kind of
object whose text organisers translate (its table, its fields, where its original is edited)
and registers it; the editor and the visitors' pages then know it by name. Nothing here knows
a domain: `site/wiring.py` registers the domains' kinds at start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ContentField:
    name: str
    label: Callable[[], str]
    max_length: int
    multiline: bool = True


@dataclass(frozen=True)
class Kind:
    """A kind of content with a version per language, and where organisers edit the original."""

    name: str
    model: type[Any]
    fields: tuple[ContentField, ...]
    admin_path: str  # formatted with the object's id
    describe: Callable[[Any], str]
    # The organisation an object belongs to (only its members may translate it); None for what
    # the whole install shares, such as the prisoners' register.
    organisation_of: Callable[[Any], int | None] = lambda obj: None
    # Called with (session, object) when a version is saved: for what shows on another
    # object's page (a petition's sign form field), to move that page's version too.
    on_saved: Callable[[Any, Any], None] | None = None


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Make a kind known by its name; registering the same kind again changes nothing."""
    known = KINDS.setdefault(kind.name, kind)
    if known is not kind and known != kind:
        raise ValueError(f"a content kind named {kind.name!r} is registered already")
