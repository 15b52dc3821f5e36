"""PDF documents with an embedded Unicode font, so Cyrillic, Polish and Lithuanian print right."""

from __future__ import annotations

from typing import Any, TypeVar

from fpdf import FPDF

from campaign.settings import PROJECT_DIR

FONT_DIR = PROJECT_DIR / "static" / "fonts"
FONT = "DejaVu"

P = TypeVar("P", bound=FPDF)


def document(title: str, *, cls: type[P] = FPDF, **options: Any) -> P:  # type: ignore[assignment]
    """A new PDF (A4 unless told otherwise) with DejaVu Sans regular and bold embedded."""
    pdf = cls(**{"format": "A4", **options})
    pdf.set_title(title)
    pdf.set_creator("campaign")
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    return pdf
