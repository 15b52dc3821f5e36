"""The organiser area for the register of officials: list, edit, import and export CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner, CurrentOrganiser
from campaign.accounts.service.organisations import standing
from campaign.core import audit
from campaign.core.countries import country_choices
from campaign.core.csvimport import UploadImport
from campaign.core.db import SessionDep
from campaign.core.i18n import _, language_name, ngettext
from campaign.core.web import (
    NO_STORE,
    FormData,
    FormErrors,
    csv_attachment,
    found,
    redirect,
    render,
    uploaded,
)
from campaign.letters import forms
from campaign.letters.models import Official
from campaign.letters.service import officials

router = APIRouter(prefix="/admin/officials")

MAX_UPLOAD = 2 * 1024 * 1024


def official_for_editor(official_id: int, session: SessionDep, user: Campaigner) -> Official:
    """The official an organiser asked for; 404 when there is none."""
    return found(session.get(Official, official_id))


OfficialForEditor = Annotated[Official, Depends(official_for_editor)]


@router.get("")
def register(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    context = {
        "officials": officials.list_officials(session),
        "may_edit": standing(session, user).campaigns_somewhere,
    }
    return render(request, "admin/officials/list.html", context, headers=NO_STORE)


def _form_page(
    request: Request,
    official: Official | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {
        "official": official,
        "form": form,
        "errors": errors,
        "countries": country_choices(),
        "form_languages": [(code, language_name(code)) for code in forms.FORM_LANGUAGES],
    }
    return render(
        request, "admin/officials/form.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/new")
def new_official(request: Request, user: Campaigner) -> Response:
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
        **officials.form_values(official),
    }
    return _form_page(request, official, values, FormErrors())


def _save(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: dict[str, str],
    official: Official | None,
) -> Response:
    form, errors = forms.parse_official(raw)
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
    request: Request, session: SessionDep, user: Campaigner, raw: FormData
) -> Response:
    return _save(request, session, user, raw, None)


@router.post("/{official_id}/edit")
def update_official(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    official: OfficialForEditor,
    raw: FormData,
) -> Response:
    return _save(request, session, user, raw, official)


@router.get("/export.csv")
def export(session: SessionDep, user: CurrentOrganiser) -> Response:
    audit.record(session, by=user, action="officials.exported")
    return csv_attachment("officials.csv", officials.export_csv(session))


IMPORT = UploadImport(
    template="admin/officials/import.html",
    limit=MAX_UPLOAD,
    csv=officials.CSV_IMPORT,
    action="officials.imported",
    back="/admin/officials",
    done=lambda n: ngettext("%(num)d official imported.", "%(num)d officials imported.", n),
)


@router.get("/import")
def import_form(request: Request, user: Campaigner) -> Response:
    return IMPORT.form(request)


@router.post("/import")
def import_upload(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: FormData,
    data: Annotated[bytes | None, Depends(uploaded("file", MAX_UPLOAD))],
) -> Response:
    """Check the file and show what would change (dry run), or import it whole."""
    return IMPORT.upload(request, session, user, raw, data)
