"""The organiser area for the register of officials: list, edit, import and export CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser
from campaign.core import audit
from campaign.core.countries import country_choices
from campaign.core.csvimport import rows_from_upload
from campaign.core.db import SessionDep
from campaign.core.i18n import _, ngettext
from campaign.core.web import FormData, FormErrors, found, redirect, render, uploaded
from campaign.letters.admin_routes.deps import NO_STORE
from campaign.letters.models import Official
from campaign.letters.service import officials

router = APIRouter(prefix="/admin/officials")

MAX_UPLOAD = 2 * 1024 * 1024


def official_for_editor(official_id: int, session: SessionDep, user: CurrentOrganiser) -> Official:
    """The official an organiser asked for; 404 when there is none."""
    return found(session.get(Official, official_id))


OfficialForEditor = Annotated[Official, Depends(official_for_editor)]


@router.get("")
def register(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    context = {"officials": officials.list_officials(session)}
    return render(request, "admin/officials/list.html", context, headers=NO_STORE)


def _form_page(
    request: Request,
    official: Official | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {"official": official, "form": form, "errors": errors, "countries": country_choices()}
    return render(
        request, "admin/officials/form.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/new")
def new_official(request: Request, user: CurrentOrganiser) -> Response:
    return _form_page(request, None, {}, FormErrors())


@router.get("/{official_id}/edit")
def edit_official(request: Request, session: SessionDep, official: OfficialForEditor) -> Response:
    emails = officials.official_emails(session, official)
    values = {
        "name": official.name,
        "title": official.title,
        "institution": official.institution,
        "country": official.country,
        "language": official.language,
        "postal_address": official.postal_address,
        "notes": official.notes,
        "emails": "\n".join(
            e.address if e.status == "active" else f"{e.address} {e.status}" for e in emails
        ),
    }
    return _form_page(request, official, values, FormErrors())


def _save(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: dict[str, str],
    official: Official | None,
) -> Response:
    form, errors = officials.parse_official(raw)
    if form is None:
        return _form_page(request, official, raw, errors, status=400)
    saved = officials.save_official(session, form=form, official=official)
    audit.record(
        session,
        by=user,
        action="official.saved",
        target=f"official:{saved.id}",
    )
    return redirect("/admin/officials", flash=_("The official is saved."), request=request)


@router.post("/new")
def create_official(
    request: Request, session: SessionDep, user: CurrentOrganiser, raw: FormData
) -> Response:
    return _save(request, session, user, raw, None)


@router.post("/{official_id}/edit")
def update_official(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    official: OfficialForEditor,
    raw: FormData,
) -> Response:
    return _save(request, session, user, raw, official)


@router.get("/export.csv")
def export(session: SessionDep, user: CurrentOrganiser) -> Response:
    audit.record(session, by=user, action="officials.exported")
    headers = {"content-disposition": 'attachment; filename="officials.csv"', **NO_STORE}
    return Response(
        officials.export_csv(session), media_type="text/csv; charset=utf-8", headers=headers
    )


@router.get("/import")
def import_form(request: Request, user: CurrentOrganiser) -> Response:
    return render(request, "admin/officials/import.html", {"report": None}, headers=NO_STORE)


@router.post("/import")
def import_upload(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: FormData,
    data: Annotated[bytes | None, Depends(uploaded("file", MAX_UPLOAD))],
) -> Response:
    """Check the file and show what would change (dry run), or import it whole."""
    rows, errors = rows_from_upload(data, limit=MAX_UPLOAD, reader=officials.read_csv)
    if errors:
        return render(
            request,
            "admin/officials/import.html",
            {"report": None, "errors": errors},
            status_code=400,
            headers=NO_STORE,
        )
    apply = raw.get("action") == "import"
    report = officials.import_officials(session, rows, apply=apply)
    if apply and report.ok:
        audit.record(
            session,
            by=user,
            action="officials.imported",
            created=report.created,
            updated=report.updated,
        )
        message = ngettext(
            "%(num)d official imported.",
            "%(num)d officials imported.",
            report.created + report.updated,
        )
        return redirect("/admin/officials", flash=message, request=request)
    status = 200 if report.ok else 400
    return render(
        request,
        "admin/officials/import.html",
        {"report": report, "dry_run": not apply},
        status_code=status,
        headers=NO_STORE,
    )
