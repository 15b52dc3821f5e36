"""Paper signatures: returned sheets entered as a tally or row by row, counted in the petition's
total and tallies like online signatures, and undone by a data steward when entered wrongly."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.petitions.models import (
    PaperEntry,
    PaperSheet,
    PaperSignature,
    Petition,
    PetitionStatus,
)
from campaign.petitions.service.counting import count_paper

# What one printed A4 sheet holds (paper_pdf.py prints this many rows), so no sheet's count can
# be more; and the highest sheet number, for a typo's sake.
ROWS_PER_SHEET = 20
MAX_SHEET_NUMBER = 99_999


class SheetError(ValueError):
    """The entry cannot be taken; `field` is the form field to show the message next to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Row:
    """One line of a sheet as typed in; name and city may be left out."""

    line: int
    country: str
    name: str = ""
    city: str = ""


def sheets(session: Session, petition: Petition) -> list[PaperSheet]:
    """Every sheet entered for a petition, undone ones too, the newest first."""
    return list(
        session.exec(
            select(PaperSheet)
            .where(PaperSheet.petition_id == petition.id)
            .order_by(col(PaperSheet.entered_at).desc(), col(PaperSheet.id).desc())
        ).all()
    )


def number_taken(session: Session, petition: Petition, number: int) -> bool:
    """Whether a sheet of this number is entered (and not undone) for the petition."""
    return (
        session.exec(
            select(PaperSheet.id).where(
                PaperSheet.petition_id == petition.id,
                PaperSheet.number == number,
                col(PaperSheet.undone_at).is_(None),
            )
        ).first()
        is not None
    )


def _reread_counts(session: Session, petition: Petition) -> None:
    """The counts were moved in the database, not on the object: read them again when used."""
    if petition in session:
        session.expire(petition, ["signature_count", "paper_count", "updated_at"])


def _add_sheet(session: Session, petition: Petition, sheet: PaperSheet) -> PaperSheet:
    """Store a sheet whose number is not entered yet. Two organisers entering the same number
    at the same moment both pass the check; the unique index then refuses the second, which is
    rolled back (the sheet is its request's first write) and told the same as the first."""
    if petition.status not in (PetitionStatus.open, PetitionStatus.closed):
        # A draft's total must not grow before anyone could sign; an archived one is handed over.
        raise SheetError(
            "form", _("Paper sheets are entered only while the petition is open or closed.")
        )
    taken = SheetError("number", _("A sheet with this number is already entered."))
    if number_taken(session, petition, sheet.number):
        raise taken
    session.add(sheet)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise taken from None
    return sheet


def enter_tally(
    session: Session, *, petition: Petition, number: int, count: int, country: str, by: int | None
) -> PaperSheet:
    """Count a returned sheet by its number of signatures, all collected in one country."""
    sheet = _add_sheet(
        session,
        petition,
        PaperSheet(
            petition_id=petition.id,  # type: ignore[arg-type]
            number=number,
            count=count,
            country=country,
            entry=PaperEntry.tally.value,
            entered_by=by,
        ),
    )
    count_paper(session, petition_id=sheet.petition_id, country=country, delta=count)
    _reread_counts(session, petition)
    return sheet


def enter_rows(
    session: Session,
    *,
    petition: Petition,
    number: int,
    country: str,
    rows: list[Row],
    by: int | None,
) -> PaperSheet:
    """Count a returned sheet row by row, each row's name and city kept encrypted."""
    sheet = _add_sheet(
        session,
        petition,
        PaperSheet(
            petition_id=petition.id,  # type: ignore[arg-type]
            number=number,
            count=len(rows),
            country=country,
            entry=PaperEntry.rows.value,
            entered_by=by,
        ),
    )
    for row in rows:
        session.add(
            PaperSignature(
                sheet_id=sheet.id,  # type: ignore[arg-type]
                petition_id=sheet.petition_id,
                line=row.line,
                name=row.name,
                country=row.country,
                city=row.city,
            )
        )
    for code, n in Counter(row.country for row in rows).items():
        count_paper(session, petition_id=sheet.petition_id, country=code, delta=n)
    session.flush()
    _reread_counts(session, petition)
    return sheet


def _by_country(session: Session, sheet: PaperSheet) -> dict[str, int]:
    """How many signatures of each country an entered sheet counts."""
    if sheet.entry == PaperEntry.tally:
        return {sheet.country: sheet.count}
    rows = session.exec(
        select(PaperSignature.country, func.count())
        .where(PaperSignature.sheet_id == sheet.id)
        .group_by(col(PaperSignature.country))
    ).all()
    return {code: int(n) for code, n in rows}


def undo_sheet(
    session: Session, *, petition: Petition, sheet_id: int, by: int | None
) -> PaperSheet | None:
    """Take an entered sheet out of the counts and erase its rows; None if there is no such
    sheet of this petition still counted."""
    sheet = session.get(PaperSheet, sheet_id)
    if sheet is None or sheet.petition_id != petition.id or sheet.undone_at is not None:
        return None
    # Only the first of two stewards undoing the same sheet at once changes a row here.
    marked = session.execute(
        update(PaperSheet)
        .where(col(PaperSheet.id) == sheet_id, col(PaperSheet.undone_at).is_(None))
        .values(undone_at=utcnow(), undone_by=by)
    )
    if not marked.rowcount:  # type: ignore[attr-defined]
        return None
    for code, n in _by_country(session, sheet).items():
        count_paper(session, petition_id=sheet.petition_id, country=code, delta=-n)
    session.execute(delete(PaperSignature).where(col(PaperSignature.sheet_id) == sheet_id))
    session.flush()
    session.refresh(sheet)
    _reread_counts(session, petition)
    return sheet


def erase_rows(session: Session, petition_id: int) -> int:
    """Blank the names and cities typed in from a petition's sheets; the rows stay, so every
    count stays right. The number of rows."""
    result = session.execute(
        update(PaperSignature)
        .where(col(PaperSignature.petition_id) == petition_id)
        .values(name="", city="")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
