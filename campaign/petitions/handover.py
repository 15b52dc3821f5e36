"""The hand-over document: the petition and its signers' names and countries, never e-mails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from campaign.countries import country_name
from campaign.i18n import _, localized_date, ngettext
from campaign.pdfs import document
from campaign.petitions.models import Petition, Signature, SignatureStatus

BATCH = 2000


@dataclass(frozen=True)
class Signer:
    number: int
    name: str
    city: str
    country: str


def counted_signers(session: Session, petition: Petition) -> Iterator[Signer]:
    """Every counted signer in the order they confirmed, fetched batch by batch."""
    last_id, number = 0, 0
    while True:
        rows = session.exec(
            select(Signature.id, Signature.name, Signature.city, Signature.country)
            .where(
                col(Signature.petition_id) == petition.id,
                col(Signature.status) == SignatureStatus.confirmed,
                col(Signature.suspect).is_(False),
                col(Signature.id) > last_id,
            )
            .order_by(col(Signature.id))
            .limit(BATCH)
        ).all()
        for row_id, name, city, country in rows:
            number += 1
            yield Signer(number, name, city, country_name(country))
            last_id = row_id  # type: ignore[assignment]
        if len(rows) < BATCH:
            return


LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
EMPHASIS = re.compile(r"(\*\*|__|\*|`)")


def _plain(markdown_text: str) -> str:
    """The demand as plain paragraphs for paper: links as "text (address)", no Markdown marks."""
    lines = [LINK.sub(r"\1 (\2)", line.lstrip("#").strip()) for line in markdown_text.splitlines()]
    return "\n".join(EMPHASIS.sub("", line) for line in lines).strip()


def handover_pdf(session: Session, petition: Petition, *, generated: datetime) -> bytes:
    """A printable PDF: title page with the demand and the count, then the numbered signers."""
    pdf = document(petition.title, numbered=True)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(0, 10, petition.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 12)
    if petition.addressee:
        pdf.multi_cell(
            0,
            7,
            _("To: %(addressee)s", addressee=petition.addressee),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(3)
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, _plain(petition.body), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 13)
    count = petition.signature_count
    pdf.multi_cell(
        0,
        8,
        ngettext("%(num)d signature", "%(num)d signatures", count),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0,
        6,
        _("As of %(date)s", date=localized_date(generated.date())),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(14, 7, "#")
    pdf.cell(90, 7, _("Name"))
    pdf.cell(0, 7, _("Place"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for signer in counted_signers(session, petition):
        place = f"{signer.city}, {signer.country}" if signer.city else signer.country
        pdf.cell(14, 6, str(signer.number))
        pdf.cell(90, 6, signer.name[:60])
        pdf.cell(0, 6, place[:60], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
