"""PDF documents with an embedded Unicode font, so Cyrillic, Polish and Lithuanian print right."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from campaign.settings import PROJECT_DIR

if TYPE_CHECKING:
    from fpdf import FPDF

FONT_DIR = PROJECT_DIR / "static" / "fonts"
FONT = "DejaVu"


def document(title: str, *, numbered: bool = False, **options: Any) -> FPDF:
    """A new PDF (A4 unless told otherwise) with DejaVu Sans regular and bold embedded;
    `numbered` puts "3 / 12" at the foot of each page, so a printed stack stays in order.

    fpdf2 (with fontTools, 45 MB) is imported by the first PDF an app process makes, not by
    every process at start: most never make one.
    """
    pdf = (
        _numbered_class()(**{"format": "A4", **options})
        if numbered
        else _fpdf()(**{"format": "A4", **options})
    )
    pdf.set_title(title)
    pdf.set_creator("campaign")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    return pdf


def _fpdf() -> type[FPDF]:
    from fpdf import FPDF

    return FPDF


@cache
def _numbered_class() -> type[FPDF]:
    class NumberedPDF(_fpdf()):  # type: ignore[misc]
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.cell(0, 6, f"{self.page_no()} / {{nb}}", align="C")

    return NumberedPDF
