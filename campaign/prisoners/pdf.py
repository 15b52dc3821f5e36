"""A letter to a prisoner on paper, and its envelope (DL) with the address where the post
office expects it: the sender top left, the recipient bottom right."""

from __future__ import annotations

from typing import TYPE_CHECKING

from campaign.core.pdfs import FONT, document

if TYPE_CHECKING:
    from fpdf import FPDF

ENVELOPE = (110.0, 220.0)  # DL, in mm: printed landscape


def letter_pdf(
    *, title: str, body: str, recipient: list[str], sender: list[str], date: str
) -> bytes:
    """The letter (A4, large type for a tired reader), then the envelope page."""
    pdf: FPDF = document(title)
    pdf.set_margins(25, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.add_page()
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 6, date, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font(FONT, "", 13)
    pdf.multi_cell(0, 7, body, new_x="LMARGIN", new_y="NEXT")
    _envelope(pdf, recipient, sender)
    return bytes(pdf.output())


def _envelope(pdf: FPDF, recipient: list[str], sender: list[str]) -> None:
    pdf.add_page(orientation="L", format=ENVELOPE)
    pdf.set_auto_page_break(auto=False)
    if sender:
        pdf.set_font(FONT, "", 9)
        pdf.set_xy(10, 10)
        pdf.multi_cell(90, 4.5, "\n".join(sender), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.set_xy(110, 55)
    pdf.multi_cell(100, 6, "\n".join(recipient), new_x="LMARGIN", new_y="NEXT")
