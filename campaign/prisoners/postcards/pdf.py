"""A postcard on A6 paper, landscape as the post expects it: the picture full-bleed on the
front; on the back, room to write on the left, the address on the right, and the code.

The back carries nothing that points to the platform: no link, no campaign's name, no
logo. A card that looks organised is withheld by the censor, so the code is printed small and
plain in a corner, like a printer's batch number."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageOps

from campaign.core.pdfs import FONT, document

if TYPE_CHECKING:
    from fpdf import FPDF

A6 = (105.0, 148.0)  # mm; printed landscape
WIDTH, HEIGHT = A6[1], A6[0]
PICTURE_PIXELS = (1480, 1050)  # 254 dpi across the card: sharp at home, small in the file


def postcard_pdf(*, picture: Path, address: list[str], code: str) -> bytes:
    """Front and back of one card; `code` as it is printed ("K7PM-3QX2")."""
    pdf: FPDF = document("Postcard", format=A6, orientation="L")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(0, 0, 0)
    pdf.add_page()
    with Image.open(picture) as opened:
        width = min(PICTURE_PIXELS[0], opened.width)  # never enlarged: the file would grow
        size = (width, round(width * HEIGHT / WIDTH))
        fitted = ImageOps.fit(opened.convert("RGB"), size)
    pdf.image(fitted, x=0, y=0, w=WIDTH, h=HEIGHT)
    pdf.add_page()
    _back(pdf, address, code)
    return bytes(pdf.output())


def _back(pdf: FPDF, address: list[str], code: str) -> None:
    middle = WIDTH / 2
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.3)
    pdf.line(middle, 10, middle, HEIGHT - 10)
    pdf.set_draw_color(215, 215, 215)
    for n in range(8):  # ruled lines for the message, faint enough to write over
        y = 22 + n * 9
        pdf.line(8, y, middle - 6, y)
    pdf.set_draw_color(170, 170, 170)
    pdf.rect(WIDTH - 30, 8, 22, 26)  # where the stamp goes
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FONT, "", 10)
    pdf.set_xy(middle + 5, 44)
    pdf.multi_cell(WIDTH - middle - 11, 5.5, "\n".join(address), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(110, 110, 110)
    pdf.set_font(FONT, "", 7)
    pdf.set_xy(8, HEIGHT - 9)
    pdf.cell(40, 4, code)
