"""Printable signature sheets: one A4 page per sheet number, in the language the organiser chose,
with the demand, numbered rows to sign, the consent text, and a QR code to the online petition."""

from __future__ import annotations

import io

import segno
from sqlmodel import Session

from campaign.content import service as translated_content
from campaign.core.i18n import _, using
from campaign.core.pdfs import FONT, document
from campaign.petitions.models import Petition
from campaign.petitions.paper_forms import SheetRequest
from campaign.petitions.service.paper import ROWS_PER_SHEET

SUMMARY_MAX = 320  # characters: the demand's summary on a sheet, so the rows keep their room
MARGIN = 12
QR_SIZE = 30  # mm
ROW_HEIGHT = 8.4  # mm: enough to write a name by hand
# Column widths in mm (the page is 186 mm wide inside the margins): #, name, country, city,
# signature.
COLUMNS = (9, 58, 30, 40, 49)


def petition_link(base_url: str, petition: Petition) -> str:
    """The petition's address as printed: without the scheme, so it is short to type."""
    url = f"{base_url}/petitions/{petition.slug}"
    return url.split("://", 1)[-1]


def consent_text() -> str:
    """What a signer on paper agrees to, as the online form asks of them."""
    return _(
        "By signing I agree that my name, country and city are stored to count my signature. "
        "Only the number of signatures is handed over to the addressee; names are erased when "
        "the petition's data is erased."
    )


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=10, border=2)
    buffer.seek(0)
    return buffer


def sheets_pdf(
    session: Session, petition: Petition, *, request: SheetRequest, base_url: str
) -> bytes:
    """The sheets asked for, one page each, the sheet number printed at its top and foot."""
    shown = translated_content.localized(session, "petition", petition, request.lang)
    url = f"{base_url}/petitions/{petition.slug}"
    link = petition_link(base_url, petition)
    with using(request.lang):
        pdf = document(shown.title)
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=False)
        qr = _qr_png(url).getvalue()
        labels = (_("No."), _("Name"), _("Country"), _("City"), _("Signature"))
        for number in range(request.first, request.first + request.count):
            pdf.add_page()
            pdf.image(io.BytesIO(qr), x=210 - MARGIN - QR_SIZE, y=MARGIN, w=QR_SIZE)
            text_width = 186 - QR_SIZE - 8
            pdf.set_xy(MARGIN, MARGIN)
            pdf.set_font(FONT, "B", 11)
            pdf.cell(text_width, 6, _("Sheet no. %(number)s", number=number))
            pdf.set_xy(MARGIN, MARGIN + 7)
            pdf.set_font(FONT, "B", 15)
            pdf.multi_cell(text_width, 7, shown.title, new_x="LMARGIN", new_y="NEXT")
            if shown.addressee:
                pdf.set_font(FONT, "", 10)
                pdf.multi_cell(
                    text_width,
                    5,
                    _("To: %(addressee)s", addressee=shown.addressee),
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
            summary = shown.summary
            if len(summary) > SUMMARY_MAX:
                summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
            if summary:
                pdf.set_font(FONT, "", 9)
                pdf.multi_cell(text_width, 4.5, summary, new_x="LMARGIN", new_y="NEXT")
            pdf.set_y(max(pdf.get_y() + 2, MARGIN + QR_SIZE + 2))
            pdf.set_font(FONT, "B", 9)
            pdf.multi_cell(
                0, 5, _("Sign online too: %(link)s", link=link), new_x="LMARGIN", new_y="NEXT"
            )
            pdf.set_font(FONT, "", 8)
            pdf.multi_cell(0, 4, consent_text(), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
            pdf.set_font(FONT, "B", 9)
            for width, label in zip(COLUMNS, labels, strict=True):
                pdf.cell(width, 7, label, border=1)
            pdf.ln(7)
            pdf.set_font(FONT, "", 9)
            # A long title and summary take room from the rows, never a row from the sheet.
            height = min(ROW_HEIGHT, (297 - MARGIN - 7 - pdf.get_y()) / ROWS_PER_SHEET)
            for row in range(1, ROWS_PER_SHEET + 1):
                pdf.cell(COLUMNS[0], height, str(row), border=1, align="C")
                for width in COLUMNS[1:]:
                    pdf.cell(width, height, "", border=1)
                pdf.ln(height)
            pdf.set_y(297 - MARGIN - 5)
            pdf.set_font(FONT, "", 8)
            pdf.cell(
                0,
                5,
                _("Sheet no. %(number)s · sign online: %(link)s", number=number, link=link),
                align="C",
            )
        return bytes(pdf.output())
