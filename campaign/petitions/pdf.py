"""The hand-over document as a PDF for paper: the demand, its counts, and the names the
organiser chose to give (what it holds, and whose names: service/handover.py)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session

from campaign.core.i18n import _, localized_date, ngettext
from campaign.core.pdfs import document
from campaign.petitions.models import Petition
from campaign.petitions.service.handover import Choice, Summary, dates, named_signers, summarise


def agreed_line(summary: Summary) -> str:
    return ngettext(
        "%(num)d signer agreed to be named to the addressees.",
        "%(num)d signers agreed to be named to the addressees.",
        summary.agreed,
    )


def withheld_line(summary: Summary) -> str:
    return ngettext("%(num)d name is withheld.", "%(num)d names are withheld.", summary.withheld)


def paper_line(summary: Summary) -> str:
    return ngettext(
        "%(num)d of them signed on paper.", "%(num)d of them signed on paper.", summary.paper
    )


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
    if summary.paper:
        line(paper_line(summary))
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
