"""A supporter's rights over their data: see everything stored about their address, take it
away as a file, and have it erased.

Asking never reveals whether an address is known: the page is the same either way, and the
link goes only to that mailbox. The link carries the address's keyed hash (the blind index every
table looks people up by), never the address. Erasure keeps signatures and letters as rows, so
every count stays right; it removes who they were.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from campaign.accounts.models import User
from campaign.core import audit
from campaign.core.ratelimit import LinkRequest
from campaign.core.security import email_index, read_token, signer
from campaign.core.settings import Settings
from campaign.hooks import service as hooks
from campaign.privacy import emails
from campaign.privacy.registry import SECTIONS

PURPOSE = "my-data"
LINK_HOURS = 24


@dataclass
class Holdings:
    """Everything stored about one address, as plain data per registered section, in order."""

    sections: dict[str, Any]

    @property
    def empty(self) -> bool:
        return not any(self.sections.values())

    @property
    def lines(self) -> list[str]:
        """What the page lists, in the reader's language."""
        return [
            line
            for key, held in self.sections.items()
            if held
            for line in SECTIONS[key].lines(held)
        ]

    def as_json(self) -> str:
        """The download: readable, with names in their own script."""
        return json.dumps(self.sections, ensure_ascii=False, indent=2)


def request_link(session: Session, *, settings: Settings, asked: LinkRequest) -> None:
    """Mail a link to see, download or erase what is stored; silently nothing when over limits."""
    index = email_index(settings, asked.email)
    if not asked.within("my-data", index, per_address="3/hour", per_client="20/hour"):
        return
    token = signer(settings, PURPOSE).dumps(index)
    emails.my_data(
        session,
        to=asked.email,
        locale=asked.locale,
        url=f"{settings.base_url}/my-data?token={token}&lang={asked.locale}",
        base_url=settings.base_url,
    )


def index_for_token(settings: Settings, token: str) -> str | None:
    """The blind index a valid link names, or None when forged or older than a day."""
    index = read_token(settings, PURPOSE, token, max_age=LINK_HOURS * 3600)
    return index if isinstance(index, str) else None


def holdings(session: Session, index: str) -> Holdings:
    """What every registered section holds for the address behind this index."""
    _check_wired()
    return Holdings({key: section.holdings(session, index) for key, section in SECTIONS.items()})


def holdings_of_organisations(
    session: Session, index: str, organisations: Collection[str], *, shared: bool
) -> Holdings:
    """What these organisations hold about the address: entries of their own campaigns, and of
    coalition petitions where the signer let one of them contact them; with `shared`, also what
    no organisation owns (the volunteers' accounts), which administrators answer for."""
    names = set(organisations)

    def theirs(entry: Any) -> bool:
        return isinstance(entry, dict) and (
            entry.get("organisation") in names
            or bool(names & set(entry.get("partners_may_contact", [])))
        )

    everything = holdings(session, index).sections
    return Holdings(
        {
            key: [entry for entry in held if theirs(entry)]
            if isinstance(held, list)
            else (held if shared else None)
            for key, held in everything.items()
        }
    )


def holdings_of_organisation(session: Session, index: str, organisation: str) -> Holdings:
    """What one organisation holds about the address (for its data stewards)."""
    return holdings_of_organisations(session, index, {organisation}, shared=False)


def reference(index: str) -> str:
    """A short name for an address in the audit trail; the same address gives the same one."""
    return index[:12]


def erase(
    session: Session, index: str, *, by: User | None = None, organisation_id: int | None = None
) -> dict[str, int]:
    """Erase who this address was, everywhere; counts stay. The numbers erased, by kind."""
    _check_wired()
    erased = {section.erased_key: section.erase(session, index) for section in SECTIONS.values()}
    # Organisations' own systems were sent this person: they are told, by their id alone.
    hooks.forget_person(session, index)
    details: dict[str, Any] = {"reference": reference(index), **erased}
    audit.record(
        session, by=by, action="privacy.erased", organisation_id=organisation_id, **details
    )
    session.flush()
    return erased


def _check_wired() -> None:
    """An empty registry would show nothing and erase nothing while saying it did."""
    if not SECTIONS:
        raise RuntimeError("no privacy sections registered: call campaign.site.wiring.wire()")
