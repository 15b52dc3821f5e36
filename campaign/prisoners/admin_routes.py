"""The organiser area for the prisoner register and facilities: edit, import, export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner, CurrentOrganiser
from campaign.accounts.service.organisations import standing
from campaign.core import audit
from campaign.core.countries import country_choices
from campaign.core.csvimport import UploadImport
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _, language_name, ngettext
from campaign.core.images import MAX_BYTES, ImageError, store_image
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
from campaign.prisoners import consent_routes, event_routes, exports, forms, transfer_routes
from campaign.prisoners.deps import PrisonerForEditor
from campaign.prisoners.models import Facility, Prisoner
from campaign.prisoners.postcards import admin_routes as postcards_admin
from campaign.prisoners.service import consent, dashboard, facilities, register

prisoners_router = APIRouter(prefix="/admin/prisoners")
facilities_router = APIRouter(prefix="/admin/facilities")

MAX_UPLOAD = 10 * 1024 * 1024


UploadedPhoto = Annotated[bytes | None, Depends(uploaded("photo", MAX_BYTES))]
UploadedCsv = Annotated[bytes | None, Depends(uploaded("file", MAX_UPLOAD))]


@prisoners_router.get("")
def prisoner_list(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    context = {
        "may_edit": standing(session, user).campaigns_somewhere,
        "prisoners": register.list_prisoners(session),
        "consent_states": consent.states(session),
        "facility_names": facilities.facility_names(session),
    }
    return render(request, "admin/prisoners/list.html", context, headers=NO_STORE)


def _form_page(
    request: Request,
    session: SessionDep,
    prisoner: Prisoner | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {
        "prisoner": prisoner,
        "public": prisoner is not None and consent.is_public(session, prisoner.id),
        "form": form,
        "errors": errors,
        "facilities": [(f.name, f.name) for f, _held in facilities.list_facilities(session)],
        "name_languages": [(code, language_name(code)) for code in forms.NAME_LANGUAGES],
    }
    return render(
        request, "admin/prisoners/form.html", context, status_code=status, headers=NO_STORE
    )


@prisoners_router.get("/dashboard")
def overview(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    """Who has gone without mail, facilities' answer rates, birthdays and releases ahead."""
    board = dashboard.dashboard(session, today=utcnow().date())
    return render(request, "admin/prisoners/dashboard.html", {"board": board}, headers=NO_STORE)


@prisoners_router.get("/letters.csv")
def letters_export(session: SessionDep, user: CurrentOrganiser) -> Response:
    """Letters per person (counts only, no volunteer), audited like every export."""
    audit.record(session, by=user, action="prisoners.letters_exported")
    return csv_attachment("prisoner-letters.csv", exports.letters_csv(session))


@prisoners_router.get("/new")
def new_prisoner(request: Request, session: SessionDep, user: Campaigner) -> Response:
    return _form_page(
        request, session, None, {"accepts_letters": "yes", "letters_from": "unknown"}, FormErrors()
    )


@prisoners_router.get("/{prisoner_id}/edit")
def edit_prisoner(request: Request, session: SessionDep, prisoner: PrisonerForEditor) -> Response:
    return _form_page(
        request,
        session,
        prisoner,
        register.form_values(prisoner, facilities.facility_names(session)),
        FormErrors(),
    )


def _save(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: dict[str, str],
    photo: bytes | None,
    prisoner: Prisoner | None,
) -> Response:
    today = utcnow().date()
    ticked = raw.get("accepts_letters") in {"1", "yes"}
    raw = {**raw, "accepts_letters": "yes" if ticked else "no"}
    form, errors = forms.parse_prisoner(raw, facilities.facility_ids(session), today=today)
    if form is not None and register.external_id_taken(
        session, form.values["external_id"], except_id=prisoner.id if prisoner else None
    ):
        errors.add("external_id", _("Another person in the register has this id."))
    photo_name = None
    if photo is not None and not errors:
        try:
            photo_name = store_image(photo, request.app.state.settings.upload_dir)
        except ImageError as exc:
            errors.add("photo", str(exc))
    if form is None or errors:
        return _form_page(request, session, prisoner, raw, errors, status=400)
    saved = register.save_prisoner(session, form=form, prisoner=prisoner, today=today)
    if photo_name or raw.get("remove_photo") == "1":
        register.set_photo(
            session,
            prisoner=saved,
            name=photo_name,
            directory=request.app.state.settings.upload_dir,
        )
    audit.record(session, by=user, action="prisoner.saved", target=f"prisoner:{saved.id}")
    return redirect("/admin/prisoners", flash=_("The record is saved."), request=request)


@prisoners_router.post("/new")
def create_prisoner(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: FormData,
    photo: UploadedPhoto,
) -> Response:
    return _save(request, session, user, raw, photo, None)


@prisoners_router.post("/{prisoner_id}/edit")
def update_prisoner(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    raw: FormData,
    photo: UploadedPhoto,
) -> Response:
    return _save(request, session, user, raw, photo, prisoner)


@prisoners_router.get("/export.csv")
def export(session: SessionDep, user: CurrentOrganiser) -> Response:
    audit.record(session, by=user, action="prisoners.exported")
    return csv_attachment("prisoners.csv", exports.export_csv(session))


IMPORT = UploadImport(
    template="admin/prisoners/import.html",
    limit=MAX_UPLOAD,
    csv=register.CSV_IMPORT,
    action="prisoners.imported",
    back="/admin/prisoners",
    done=lambda n: ngettext(
        "%(num)d record added or changed.", "%(num)d records added or changed.", n
    ),
)


@prisoners_router.get("/import")
def import_form(request: Request, user: Campaigner) -> Response:
    return IMPORT.form(request)


@prisoners_router.post("/import")
def import_upload(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: FormData,
    data: UploadedCsv,
) -> Response:
    """Check the file and show what each row would change (dry run), or import it whole."""
    return IMPORT.upload(request, session, user, raw, data)


# -- facilities --------------------------------------------------------------------------------


def facility_for_editor(facility_id: int, session: SessionDep, user: Campaigner) -> Facility:
    """The facility an organiser asked for; 404 when there is none."""
    return found(session.get(Facility, facility_id))


FacilityForEditor = Annotated[Facility, Depends(facility_for_editor)]


@facilities_router.get("")
def facility_list(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    context = {
        "facilities": facilities.list_facilities(session),
        "may_edit": standing(session, user).campaigns_somewhere,
    }
    return render(request, "admin/facilities/list.html", context, headers=NO_STORE)


def _facility_page(
    request: Request,
    facility: Facility | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {"facility": facility, "form": form, "errors": errors, "countries": country_choices()}
    return render(
        request, "admin/facilities/form.html", context, status_code=status, headers=NO_STORE
    )


@facilities_router.get("/new")
def new_facility(request: Request, user: Campaigner) -> Response:
    return _facility_page(request, None, {"country": "BY"}, FormErrors())


@facilities_router.get("/{facility_id}/edit")
def edit_facility(request: Request, facility: FacilityForEditor) -> Response:
    values = {
        "name": facility.name,
        "address": facility.address,
        "country": facility.country,
        "notes": facility.notes,
    }
    return _facility_page(request, facility, values, FormErrors())


def _save_facility(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: dict[str, str],
    facility: Facility | None,
) -> Response:
    form, errors = forms.parse_facility(raw)
    if form is not None and facilities.name_taken(
        session, form.name, except_id=facility.id if facility else None
    ):
        errors.add("name", _("Another facility has this name."))
    if form is None or errors:
        return _facility_page(request, facility, raw, errors, status=400)
    saved = facilities.save_facility(session, form=form, facility=facility)
    audit.record(session, by=user, action="facility.saved", target=f"facility:{saved.id}")
    return redirect("/admin/facilities", flash=_("The facility is saved."), request=request)


@facilities_router.post("/new")
def create_facility(
    request: Request, session: SessionDep, user: Campaigner, raw: FormData
) -> Response:
    return _save_facility(request, session, user, raw, None)


@facilities_router.post("/{facility_id}/edit")
def update_facility(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    facility: FacilityForEditor,
    raw: FormData,
) -> Response:
    return _save_facility(request, session, user, raw, facility)


# The one router site/app.py includes: the register's pages, the facilities', the postcards'.
router = APIRouter()
router.include_router(prisoners_router)
router.include_router(consent_routes.router)
router.include_router(transfer_routes.router)
router.include_router(event_routes.router)
router.include_router(facilities_router)
router.include_router(postcards_admin.router)
