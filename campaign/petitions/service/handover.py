"""What a hand-over holds: the demand and its counts; names only of signers who agreed to be named.

A hand-over goes to the very authorities who hold the prisoners. By default it holds counts (in
all, by country, by day); the organiser may add the names of the signers who ticked the separate
box at signing, and, after a warning, of those among them who gave the addressee's own country.
E-mail addresses are never in it. The print view (admin_routes/signatures.py) and the PDF
(pdf.py) both show what this module gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from campaign.core.countries import country_name
from campaign.core.i18n import _, localized_date
from campaign.petitions.models import Petition, Signature, SignatureStatus
from campaign.petitions.service.counting import signatures_per_day, tallies

BATCH = 2000


@dataclass(frozen=True)
class Choice:
    """What the organiser chose to add to the counts for this hand-over."""

    include_names: bool = False
    include_addressee_country: bool = False

    def names_from(self, petition: Petition) -> str:
        """For the audit trail: whose names this hand-over gives."""
        if not self.include_names:
            return "none"
        if petition.addressee_country and not self.include_addressee_country:
            return "agreed, not from the addressee's country"
        return "agreed"


@dataclass(frozen=True)
class Summary:
    """The counts a hand-over holds, and how many names it gives and withholds."""

    total: int
    by_country: list[tuple[str, int]]
    by_day: list[tuple[date, int]]
    agreed: int
    agreed_in_addressee_country: int
    listed: int
    # Of the total, signatures entered from paper sheets: counted, never named.
    paper: int = 0

    @property
    def withheld(self) -> int:
        return max(self.total - self.listed, 0)


@dataclass(frozen=True)
class Signer:
    number: int
    name: str
    city: str
    country: str


def _counted_and_agreed(petition: Petition) -> list[ColumnElement[bool]]:
    return [
        col(Signature.petition_id) == petition.id,
        col(Signature.status) == SignatureStatus.confirmed,
        col(Signature.suspect).is_(False),
        col(Signature.named_in_handover).is_(True),
    ]


def _named(petition: Petition, choice: Choice) -> list[ColumnElement[bool]] | None:
    """The conditions on the signers this hand-over names; None when it names no one."""
    if not choice.include_names:
        return None
    conditions = _counted_and_agreed(petition)
    if petition.addressee_country and not choice.include_addressee_country:
        conditions.append(col(Signature.country) != petition.addressee_country)
    return conditions


def summarise(session: Session, petition: Petition, choice: Choice) -> Summary:
    """The counts of a hand-over: in all, by country, by day (days without any left out)."""
    agreed_by_country = dict(
        session.exec(
            select(Signature.country, func.count())
            .where(*_counted_and_agreed(petition))
            .group_by(col(Signature.country))
        ).all()
    )
    agreed = sum(agreed_by_country.values())
    at_home = agreed_by_country.get(petition.addressee_country, 0)
    if not choice.include_names:
        listed = 0
    elif petition.addressee_country and not choice.include_addressee_country:
        listed = agreed - at_home
    else:
        listed = agreed
    per_day = signatures_per_day(session, petition=petition)
    return Summary(
        total=petition.signature_count,
        by_country=[(country_name(code), n) for code, n in tallies(session, petition)],
        by_day=[(day, n) for day, n in per_day if n],
        agreed=agreed,
        agreed_in_addressee_country=at_home,
        listed=listed,
        paper=petition.paper_count,
    )


def named_signers(session: Session, petition: Petition, choice: Choice) -> Iterator[Signer]:
    """The signers this hand-over names, in the order they confirmed, fetched batch by batch."""
    conditions = _named(petition, choice)
    if conditions is None:
        return
    last_id, number = 0, 0
    while True:
        rows = session.exec(
            select(Signature.id, Signature.name, Signature.city, Signature.country)
            .where(*conditions, col(Signature.id) > last_id)
            .order_by(col(Signature.id))
            .limit(BATCH)
        ).all()
        for row_id, name, city, country in rows:
            number += 1
            yield Signer(number, name, city, country_name(country))
            last_id = row_id  # type: ignore[assignment]
        if len(rows) < BATCH:
            return


def dates(petition: Petition, generated: datetime) -> list[str]:
    """When signing opened and closed (or ends), and when this document was made."""
    lines = []
    if petition.published_at:
        lines.append(_("Signing opened on %(date)s.", date=localized_date(petition.published_at)))
    if petition.closed_at:
        lines.append(_("Signing closed on %(date)s.", date=localized_date(petition.closed_at)))
    elif petition.ends_at:
        lines.append(_("Signing ends on %(date)s.", date=localized_date(petition.ends_at)))
    lines.append(_("As of %(date)s", date=localized_date(generated.date())))
    return lines
