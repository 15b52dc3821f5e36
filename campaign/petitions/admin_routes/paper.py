"""The organiser area for petitions, paper: print signature sheets, enter returned ones as a
tally or row by row, and (a data steward) undo an entry."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser
from campaign.accounts.service.organisations import role_in
from campaign.accounts.service.roles import duties_of
from campaign.core.countries import country_choices
from campaign.core.db import SessionDep
from campaign.core.i18n import _, available_locales, get_locale, language_name, ngettext
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render
from campaign.petitions import paper_pdf
from campaign.petitions.admin_routes.deps import (
    PetitionData,
    PetitionToEdit,
    PetitionToView,
    record,
)
from campaign.petitions.models import Petition
from campaign.petitions.paper_forms import (
    MAX_SHEETS,
    SheetEntry,
    parse_rows,
    parse_sheet_request,
    parse_tally,
)
from campaign.petitions.service import paper

router = APIRouter(prefix="/admin/petitions")


def _page(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: Petition,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    sheets = paper.sheets(session, petition)
    context = {
        "petition": petition,
        "can": duties_of(role_in(session, user, petition.organisation_id)),
        "sheets": sheets,
        "next_number": max((s.number for s in sheets), default=0) + 1,
        "form": form or {},
        "errors": errors or FormErrors(),
        "countries": country_choices(),
        "languages": [(code, language_name(code)) for code in available_locales()],
        "rows_per_sheet": paper.ROWS_PER_SHEET,
        "max_sheets": MAX_SHEETS,
    }
    return render(
        request, "admin/petitions/paper.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{petition_id}/paper")
def paper_page(
    request: Request, session: SessionDep, user: CurrentOrganiser, petition: PetitionToView
) -> Response:
    """The sheets entered so far; the forms to print and enter sheets for those who may."""
    return _page(request, session, user, petition)


@router.get("/{petition_id}/paper/sheets.pdf")
def sheets_pdf(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    first: str = "1",
    sheets: str = "1",
    lang: str = "",
) -> Response:
    """Blank signature sheets numbered from `first`, in the language chosen."""
    asked, errors = parse_sheet_request(first, sheets, lang or get_locale())
    if errors:
        form = {"first": first, "sheets": sheets, "lang": lang}
        return _page(request, session, user, petition, form=form, errors=errors, status=400)
    body = paper_pdf.sheets_pdf(
        session, petition, request=asked, base_url=request.app.state.settings.base_url
    )
    last = asked.first + asked.count - 1
    name = f"{petition.slug}-sheets-{asked.first}-{last}-{asked.lang}.pdf"
    headers = {"content-disposition": f'attachment; filename="{name}"', **NO_STORE}
    return Response(body, media_type="application/pdf", headers=headers)


def _count(
    session: SessionDep, user: CurrentOrganiser, petition: Petition, entry: SheetEntry
) -> FormErrors:
    """Count a checked entry and record it; the errors when its number is refused."""
    try:
        if entry.rows:
            sheet = paper.enter_rows(
                session,
                petition=petition,
                number=entry.number,
                country=entry.country,
                rows=list(entry.rows),
                by=user.id,
            )
        else:
            sheet = paper.enter_tally(
                session,
                petition=petition,
                number=entry.number,
                count=entry.count,
                country=entry.country,
                by=user.id,
            )
    except paper.SheetError as refused:
        errors = FormErrors()
        errors.add(refused.field, str(refused))
        return errors
    record(
        session,
        user,
        "petition.paper_entered",
        petition,
        number=sheet.number,
        count=sheet.count,
        country=sheet.country,
        entry=sheet.entry,
    )
    return FormErrors()


def _counted(request: Request, petition: Petition, entry: SheetEntry) -> Response:
    message = ngettext(
        "Sheet no. %(number)s entered: %(num)d signature counted.",
        "Sheet no. %(number)s entered: %(num)d signatures counted.",
        entry.count,
        number=entry.number,
    )
    return redirect(f"/admin/petitions/{petition.id}/paper", flash=message, request=request)


@router.post("/{petition_id}/paper/tally")
def enter_tally(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
) -> Response:
    """A returned sheet entered by its number of signatures."""
    entry, errors = parse_tally(raw)
    if not errors:
        errors = _count(session, user, petition, entry)
    if errors:
        return _page(request, session, user, petition, form=raw, errors=errors, status=400)
    return _counted(request, petition, entry)


def _rows_page(
    request: Request,
    petition: Petition,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {
        "petition": petition,
        "form": form,
        "errors": errors,
        "countries": country_choices(),
        "lines": range(1, paper.ROWS_PER_SHEET + 1),
    }
    return render(
        request, "admin/petitions/paper_rows.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{petition_id}/paper/rows")
def rows_form(request: Request, petition: PetitionToEdit) -> Response:
    """The form to type in a returned sheet row by row."""
    return _rows_page(request, petition, {}, FormErrors())


@router.post("/{petition_id}/paper/rows")
def enter_rows(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
) -> Response:
    """A returned sheet entered row by row; names and cities are kept encrypted."""
    entry, errors = parse_rows(raw)
    if not errors:
        errors = _count(session, user, petition, entry)
    if errors:
        return _rows_page(request, petition, raw, errors, status=400)
    return _counted(request, petition, entry)


@router.post("/{petition_id}/paper/{sheet_id}/undo")
def undo_sheet(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionData,
    sheet_id: int,
) -> Response:
    """A data steward takes a wrongly entered sheet out of the counts; its rows are erased."""
    sheet = paper.undo_sheet(session, petition=petition, sheet_id=sheet_id, by=user.id)
    if sheet is None:
        return redirect(
            f"/admin/petitions/{petition.id}/paper",
            flash=_("This sheet is not counted (any more)."),
            request=request,
        )
    record(
        session,
        user,
        "petition.paper_undone",
        petition,
        number=sheet.number,
        count=sheet.count,
        country=sheet.country,
    )
    return redirect(
        f"/admin/petitions/{petition.id}/paper",
        flash=_("Sheet no. %(number)s is no longer counted.", number=sheet.number),
        request=request,
    )
