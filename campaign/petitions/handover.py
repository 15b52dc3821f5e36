"""The hand-over document: the demand and its counts; names only of signers who agreed to be named.

A hand-over goes to the very authorities who hold the prisoners. By default it holds counts (in
all, by country, by day); the organiser may add the names of the signers who ticked the separate
box at signing, and, after a warning, of those among them who gave the addressee's own country.
E-mail addresses are never in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from campaign.core.countries import country_name
from campaign.core.i18n import _, localized_date, ngettext
from campaign.core.pdfs import document
from campaign.petitions.manage import signatures_per_day
from campaign.petitions.models import Petition, Signature, SignatureStatus
from campaign.petitions.service import tallies

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


def agreed_line(summary: Summary) -> str:
    return ngettext(
        "%(num)d signer agreed to be named to the addressees.",
        "%(num)d signers agreed to be named to the addressees.",
        summary.agreed,
    )


def withheld_line(summary: Summary) -> str:
    return ngettext("%(num)d name is withheld.", "%(num)d names are withheld.", summary.withheld)


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


LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def _plain(markdown_text: str) -> str:
    """The demand as plain paragraphs for paper: links as "text (address)", no Markdown marks."""
    lines = [LINK.sub(r"\1 (\2)", line.lstrip("#").strip()) for line in markdown_text.splitlines()]
    return "\n".join(EMPHASIS.sub("", line) for line in lines).strip()


def handover_pdf(
    session: Session, petition: Petition, *, choice: Choice, generated: datetime
) -> bytes:
    """A printable PDF: the demand, the counts, and the names the organiser chose to give."""
    summary = summarise(session, petition, choice)
    pdf = document(petition.title, numbered=True)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    def line(text: str, height: float = 6, style: str = "", size: int = 10) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    def table(rows: list[tuple[str, str]]) -> None:
        pdf.set_font("DejaVu", "", 10)
        for label, value in rows:
            pdf.cell(90, 6, label[:60])
            pdf.cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")

    line(petition.title, 10, "B", 20)
    pdf.ln(2)
    if petition.addressee:
        line(_("To: %(addressee)s", addressee=petition.addressee), 7, size=12)
        pdf.ln(3)
    line(_plain(petition.body), size=11)
    pdf.ln(6)
    line(ngettext("%(num)d signature", "%(num)d signatures", summary.total), 8, "B", 13)
    for text in dates(petition, generated):
        line(text)
    pdf.ln(4)
    line(agreed_line(summary))
    line(withheld_line(summary))
    if summary.by_country:
        pdf.ln(4)
        line(_("By country"), 8, "B", 12)
        table([(name, str(n)) for name, n in summary.by_country])
    if summary.by_day:
        pdf.ln(4)
        line(_("Signatures per day"), 8, "B", 12)
        table([(localized_date(day), str(n)) for day, n in summary.by_day])
    if summary.listed:
        pdf.add_page()
        line(_("Signers who agreed to be named"), 8, "B", 12)
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(14, 7, "#")
        pdf.cell(90, 7, _("Name"))
        pdf.cell(0, 7, _("Place"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for signer in named_signers(session, petition, choice):
            place = f"{signer.city}, {signer.country}" if signer.city else signer.country
            pdf.cell(14, 6, str(signer.number))
            pdf.cell(90, 6, signer.name[:60])
            pdf.cell(0, 6, place[:60], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
