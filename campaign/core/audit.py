"""The audit trail: who did what, when. The app only ever adds to it.

Entries are stored as action codes (`petition.exported`) with their details; organisers read
them as sentences in their own language. Each domain says how its actions read and how the
things they are about are named (`describe`); `readable` turns a page of events into sentences.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, select

from campaign.core.db import utcnow
from campaign.core.i18n import _


class AuditEvent(SQLModel, table=True):
    """One recorded action: exports, invalidations, status changes, settings."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, index=True)
    actor: str = Field(default="", max_length=254)
    action: str = Field(max_length=60, index=True)
    target: str = Field(default="", max_length=120)
    # The organisation whose campaign or members the event is about (none: the install's own).
    organisation_id: int | None = Field(default=None, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Actor(Protocol):
    """Whoever acts: any account with an id and an address."""

    @property
    def id(self) -> int | None: ...

    @property
    def email(self) -> str: ...


def record(
    session: Session,
    *,
    by: Actor | None,
    action: str,
    target: str = "",
    organisation_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an event in the caller's transaction: it stands or falls with the action itself.

    `by` is None when nobody known acts: a failed login for an unknown address (never recorded,
    as it may be anyone's), the command line, the worker.
    """
    event = AuditEvent(
        actor_id=by.id if by else None,
        actor=by.email if by else "",
        action=action,
        target=target,
        organisation_id=organisation_id,
        details=details,
    )
    session.add(event)
    session.flush()
    return event


def recent_events(
    session: Session,
    *,
    limit: int = 200,
    target: str | None = None,
    organisation_id: int | None = None,
) -> list[AuditEvent]:
    """The newest events, optionally only those about one target (e.g. "petition:3") or one
    organisation."""
    query = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if target is not None:
        query = query.where(AuditEvent.target == target)
    if organisation_id is not None:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    return list(session.exec(query).all())


# -- entries as sentences -------------------------------------------------------------------------

# An action's sentence in the current language, from the entry's values: `who` (the actor's
# name), `about` (what the entry is about, by name) and the entry's details.
Sentence = Callable[[Mapping[str, Any]], str]
# The names of the things of one kind (the part of a target before ":"), by id.
Namer = Callable[[Session, set[int]], dict[int, str]]

_SENTENCES: dict[str, Sentence] = {}
_NAMERS: dict[str, Namer] = {}
# Details whose value picks a more precise sentence: "petition.exported:handover".
VARIANTS = ("export", "active", "paused")


def describe(sentences: Mapping[str, Sentence], names: Mapping[str, Namer] | None = None) -> None:
    """Say how a domain's actions read (by action code, or `code:variant`) and how its targets
    are named (by the kind before ":" in a target, e.g. "petition")."""
    _SENTENCES.update(sentences)
    _NAMERS.update(names or {})


def namer(id_column: Any, name_column: Any) -> Namer:
    """A Namer reading one table: the name column by the id column, one query."""

    def names(session: Session, ids: set[int]) -> dict[int, str]:
        rows = session.exec(select(id_column, name_column).where(id_column.in_(ids))).all()
        return {int(number): str(name) for number, name in rows}

    return names


@dataclass(frozen=True)
class Readable:
    """An event with its sentence, for the audit pages."""

    event: AuditEvent
    sentence: str


def _target(target: str) -> tuple[str, int | None]:
    kind, _sep, number = target.partition(":")
    return kind, int(number) if number.isdigit() else None


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return value


def _unknown(action: str, who: str, about: str) -> str:
    """An action no domain described still reads: its code made into words."""
    words = action.replace(".", " · ").replace("_", " ")
    if about:
        return _("%(who)s: %(action)s (%(about)s)", who=who, action=words, about=about)
    return _("%(who)s: %(action)s", who=who, action=words)


def sentence(event: AuditEvent, *, who: str, about: str) -> str:
    """The event as one sentence in the current language."""
    details = event.details or {}
    values = {key: _plain(value) for key, value in details.items()}
    values.update(who=who, about=about)
    variant = next((str(details[key]) for key in VARIANTS if key in details), None)
    write = _SENTENCES.get(f"{event.action}:{variant}") or _SENTENCES.get(event.action)
    if write is not None:
        try:
            return write(values)
        except (KeyError, TypeError, ValueError):  # an older entry without a detail it needs
            pass
    return _unknown(event.action, who, about)


def readable(session: Session, events: list[AuditEvent]) -> list[Readable]:
    """Sentences for a page of events: the actors and targets named in a query per kind."""
    wanted: dict[str, set[int]] = {"user": {e.actor_id for e in events if e.actor_id}}
    for event in events:
        kind, number = _target(event.target)
        if number is not None:
            wanted.setdefault(kind, set()).add(number)
    names = {
        kind: _NAMERS[kind](session, ids) for kind, ids in wanted.items() if ids and kind in _NAMERS
    }
    people = names.get("user", {})
    shown = []
    for event in events:
        who = people.get(event.actor_id or 0) or event.actor or _("The application")
        kind, number = _target(event.target)
        about = str(event.details.get("title") or "") if event.details else ""
        about = about or names.get(kind, {}).get(number or 0, "") or event.target
        shown.append(Readable(event, sentence(event, who=who, about=about)))
    return shown
