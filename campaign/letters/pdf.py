"""Letters on paper: one A4 page (or more) per letter, the address placed for a window envelope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fpdf import FPDF

from campaign.settings import PROJECT_DIR

FONT_DIR = PROJECT_DIR / "static" / "fonts"
# DIN 5008 form B: the address field a DL or C5/6 window envelope shows.
WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_H = 20.0, 45.0, 85.0, 40.0
LEFT, RIGHT, TOP = 25.0, 20.0, 15.0


@dataclass(frozen=True)
class PrintedLetter:
    """One letter on paper: who writes, to whom, when, and what."""

    sender_name: str
    sender_lines: list[str] = field(default_factory=list)
    recipient_lines: list[str] = field(default_factory=list)
    date: str = ""
    subject: str = ""
    body: str = ""


def letters_pdf(letters: Sequence[PrintedLetter], *, title: str) -> bytes:
    """One A4 PDF, each letter starting on a new page, laid out for a DL/C5 window envelope."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("campaign")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(auto=True, margin=20)
    for letter in letters:
        _letter(pdf, letter)
    return bytes(pdf.output())


def _marks(pdf: FPDF) -> None:
    """Fold marks for the two folds of a DL envelope, and the hole-punch mark."""
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    for y, length in ((105.0, 5.0), (210.0, 5.0), (148.5, 8.0)):
        pdf.line(3, y, 3 + length, y)


def _letter(pdf: FPDF, letter: PrintedLetter) -> None:
    pdf.add_page()
    _marks(pdf)
    pdf.set_font("DejaVu", "B", 10)
    pdf.set_xy(120, TOP + 5)
    pdf.multi_cell(70, 5, letter.sender_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for line in letter.sender_lines:
        pdf.set_x(120)
        pdf.multi_cell(70, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    # The return line sits just above the window, so the post office sees it too.
    pdf.set_font("DejaVu", "", 7)
    pdf.set_xy(WINDOW_X, WINDOW_Y - 5)
    return_line = " · ".join([letter.sender_name, *letter.sender_lines])
    pdf.cell(WINDOW_W, 4, return_line[:90])
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(WINDOW_X, WINDOW_Y)
    for line in letter.recipient_lines[:8]:
        if pdf.get_y() > WINDOW_Y + WINDOW_H - 5:
            break
        pdf.set_x(WINDOW_X)
        pdf.multi_cell(WINDOW_W, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(LEFT, 97)
    pdf.cell(0, 5, letter.date, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    if letter.subject:
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, letter.subject, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 5.5, letter.body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    if pdf.get_y() > pdf.h - 40:
        pdf.add_page()
    y = pdf.get_y()
    pdf.set_draw_color(0, 0, 0)
    pdf.line(LEFT, y, LEFT + 60, y)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(60, 5, letter.sender_name)
