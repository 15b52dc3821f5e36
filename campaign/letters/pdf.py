"""Letters on paper: A4, DIN 5008 form B, the address placed for a DL or C5 window envelope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from campaign.core.pdfs import FONT, document

if TYPE_CHECKING:
    from fpdf import FPDF

# The address field a DL or C5 window envelope shows; anything outside it is hidden or misread.
WINDOW_X, WINDOW_Y, WINDOW_W, WINDOW_H = 20.0, 45.0, 85.0, 40.0
ADDRESS_LINE = 4.5
ADDRESS_ROWS = int(WINDOW_H // ADDRESS_LINE)
LEFT, RIGHT, TOP, BOTTOM = 25.0, 20.0, 15.0, 20.0
SENDER_X = 125.0
DATE_Y = 97.0
BODY_LINE = 5.5
SIGNATURE_SPACE = 16.0
SIGNATURE_W = 60.0
ELLIPSIS = "…"
CLOSING_LINES = 3  # "Yours sincerely," / the name / the date


@dataclass(frozen=True)
class PrintedLetter:
    """One letter on paper: who writes, to whom, when, and what."""

    sender_name: str
    sender_lines: list[str]
    recipient_lines: list[str]
    date: str
    subject: str
    body: str


def letters_pdf(letters: Sequence[PrintedLetter], *, title: str) -> bytes:
    """One A4 PDF, each letter starting on a new page, laid out for a DL/C5 window envelope."""
    pdf: FPDF = document(title)
    pdf.set_margins(LEFT, TOP, RIGHT)
    pdf.set_auto_page_break(auto=True, margin=BOTTOM)
    for letter in letters:
        _letter(pdf, letter)
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text cut to one line of the given width, marked with an ellipsis when cut."""
    text = " ".join(text.split())
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + ELLIPSIS) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def _address_rows(pdf: FPDF, lines: Sequence[str]) -> list[str]:
    """The recipient's lines as they fit the window, at most ADDRESS_ROWS of them."""
    width = WINDOW_W - 2 * pdf.c_margin
    wrapped: list[str] = []
    for line in lines:
        split = pdf.multi_cell(WINDOW_W, ADDRESS_LINE, line, dry_run=True, output="LINES")
        assert isinstance(split, list)
        wrapped.extend(split)
    if len(wrapped) <= ADDRESS_ROWS:
        return wrapped
    rows = [_fit(pdf, line, width) for line in lines if line.strip()]
    # The post delivers by the last lines (street, town, country), so the name stays on top
    # and the lines in between (title, institution) give way first.
    if len(rows) > ADDRESS_ROWS:
        rows = rows[:1] + rows[len(rows) - ADDRESS_ROWS + 1 :]
    return rows


def _marks(pdf: FPDF) -> None:
    """Fold marks for the two folds into a DL envelope, and the longer hole-punch mark."""
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    for y, length in ((105.0, 5.0), (210.0, 5.0), (148.5, 8.0)):
        pdf.line(3, y, 3 + length, y)
    pdf.set_draw_color(0, 0, 0)


def _letter(pdf: FPDF, letter: PrintedLetter) -> None:
    pdf.add_page()
    _marks(pdf)
    sender_w = pdf.w - RIGHT - SENDER_X
    pdf.set_xy(SENDER_X, TOP)
    pdf.set_font(FONT, "B", 9)
    pdf.multi_cell(sender_w, 4.5, letter.sender_name, align="L", new_x="LEFT", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    for line in letter.sender_lines:
        # Below this the block would run into the date.
        if pdf.get_y() > DATE_Y - 10:
            break
        pdf.multi_cell(sender_w, 4.5, line, align="L", new_x="LEFT", new_y="NEXT")

    # The return address shows through the window too, so undeliverable mail comes back.
    pdf.set_font(FONT, "", 7)
    pdf.set_xy(WINDOW_X, WINDOW_Y - 4)
    return_line = " · ".join(part for part in (letter.sender_name, *letter.sender_lines) if part)
    pdf.cell(WINDOW_W, 3.5, _fit(pdf, return_line, WINDOW_W - 2 * pdf.c_margin))

    pdf.set_font(FONT, "", 10)
    pdf.set_xy(WINDOW_X, WINDOW_Y)
    for row in _address_rows(pdf, letter.recipient_lines):
        pdf.cell(WINDOW_W, ADDRESS_LINE, row, new_x="LEFT", new_y="NEXT")

    pdf.set_xy(LEFT, DATE_Y)
    # Most templates close with {{ date }}: the letter then says it once, in its own words.
    shown_date = "" if letter.date and letter.date in letter.body else letter.date
    pdf.cell(0, 5, shown_date, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    if letter.subject.strip():
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(0, 6, letter.subject.strip(), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)
    pdf.set_font(FONT, "", 11)
    body = "\n".join(line.rstrip() for line in letter.body.strip().splitlines())
    pdf.multi_cell(0, BODY_LINE, body, align="L", new_x="LMARGIN", new_y="NEXT")

    # A signature line alone at the top of a page is better than one cut by the page break.
    if pdf.will_page_break(SIGNATURE_SPACE + 8):
        pdf.add_page()
    pdf.ln(SIGNATURE_SPACE)
    y = pdf.get_y()
    pdf.line(LEFT, y, LEFT + SIGNATURE_W, y)
    if _signed_in_body(letter):
        return
    pdf.set_y(y + 1)
    pdf.set_font(FONT, "", 10)
    pdf.cell(SIGNATURE_W, 5, letter.sender_name, new_x="LMARGIN", new_y="NEXT")


def _signed_in_body(letter: PrintedLetter) -> bool:
    """Whether the letter's closing lines already name the sender (as most templates do)."""
    closing = [line for line in letter.body.strip().splitlines() if line.strip()][-CLOSING_LINES:]
    return any(letter.sender_name in line for line in closing)
