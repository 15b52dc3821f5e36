"""The organiser area for petitions, their own fields on the sign form: add, change, order,
remove (or retire, once answered) and put back; each change is audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser, asks, require_duty
from campaign.accounts.service.roles import Duty
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.web import NO_STORE, FormData, FormErrors, found, redirect, render
from campaign.petitions.admin_routes.deps import PetitionToEdit, record
from campaign.petitions.field_forms import MAX_FIELDS, FieldForm, parse_field_form
from campaign.petitions.models import FieldKind, Petition, PetitionField
from campaign.petitions.service import fields

router = APIRouter(prefix="/admin/petitions")
by_field_router = APIRouter(prefix="/admin/petition-fields")


def kind_choices() -> list[tuple[str, str]]:
    """The kinds of field, named for the organiser."""
    return [
        (FieldKind.choice.value, _("A choice of answers")),
        (FieldKind.checkbox.value, _("A box to tick")),
        (FieldKind.text.value, _("A short text")),
    ]


def _values(field: PetitionField) -> dict[str, str]:
    return {
        "kind": field.kind,
        "label": field.label,
        "help": field.help,
        "options": field.options,
        "required": "1" if field.required else "",
        "personal": "1" if field.personal else "",
        "public": "1" if field.public else "",
    }


def _page(
    request: Request,
    session: SessionDep,
    petition: Petition,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    context = {
        "petition": petition,
        "fields": fields.fields_of(session, petition.id or 0),
        "may_add": fields.may_add(session, petition),
        "max_fields": MAX_FIELDS,
        "kinds": kind_choices(),
        "form": form if form is not None else {"kind": FieldKind.choice.value},
        "errors": errors or FormErrors(),
    }
    return render(
        request, "admin/petitions/fields.html", context, status_code=status, headers=NO_STORE
    )


def _field_page(
    request: Request,
    petition: Petition,
    field: PetitionField,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {
        "petition": petition,
        "own_field": field,
        "kinds": kind_choices(),
        "form": form,
        "errors": errors,
    }
    return render(
        request, "admin/petitions/field.html", context, status_code=status, headers=NO_STORE
    )


def _details(form: FieldForm | PetitionField) -> dict[str, object]:
    return {
        "label": form.label,
        "kind": form.kind,
        "personal": form.personal,
        "required": form.required,
        "public": form.public,
    }


@router.get("/{petition_id}/fields")
def field_list(request: Request, session: SessionDep, petition: PetitionToEdit) -> Response:
    return _page(request, session, petition)


@router.post("/{petition_id}/fields")
def add_field(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
) -> Response:
    form, errors = parse_field_form(raw)
    if not fields.may_add(session, petition):
        errors.add("form", _("The form has as many fields as it may: remove one first."))
    if form is None or errors:
        return _page(request, session, petition, raw, errors, status=400)
    field = fields.add_field(session, petition=petition, form=form)
    record(session, user, "petition.field_added", petition, field_id=field.id, **_details(form))
    return redirect(
        f"/admin/petitions/{petition.id}/fields", flash=_("The field is added."), request=request
    )


def _field(session: SessionDep, petition: Petition, field_id: int) -> PetitionField:
    return found(fields.field_of(session, petition, field_id))


@router.get("/{petition_id}/fields/{field_id}")
def edit_field(
    request: Request, session: SessionDep, petition: PetitionToEdit, field_id: int
) -> Response:
    field = _field(session, petition, field_id)
    return _field_page(request, petition, field, _values(field), FormErrors())


@router.post("/{petition_id}/fields/{field_id}")
def save_field(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    field_id: int,
    raw: FormData,
) -> Response:
    field = _field(session, petition, field_id)
    form, errors = parse_field_form(raw)
    locked = fields.locked_change(session, field, form) if form is not None else None
    if locked == "kind":
        errors.add("kind", _("Signers have answered this field: its kind cannot change."))
    elif locked == "personal":
        errors.add(
            "personal", _("Signers have answered this field: whether it is personal is fixed.")
        )
    if form is None or errors:
        return _field_page(request, petition, field, raw, errors, status=400)
    was = field.label
    fields.edit_field(session, petition=petition, field=field, form=form)
    # A renamed field changes what every answer already given says: the trail keeps both words.
    action = "petition.field_renamed" if form.label != was else "petition.field_changed"
    record(session, user, action, petition, field_id=field.id, was=was, **_details(form))
    return redirect(
        f"/admin/petitions/{petition.id}/fields", flash=_("The field is saved."), request=request
    )


@router.post("/{petition_id}/fields/{field_id}/move")
def move_field(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    field_id: int,
    raw: FormData,
) -> Response:
    field = _field(session, petition, field_id)
    up = raw.get("direction") == "up"
    fields.move_field(session, petition=petition, field=field, up=up)
    record(
        session,
        user,
        "petition.field_moved",
        petition,
        field_id=field.id,
        label=field.label,
        direction="up" if up else "down",
    )
    return redirect(f"/admin/petitions/{petition.id}/fields", request=request)


@router.post("/{petition_id}/fields/{field_id}/remove")
def remove_field(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    field_id: int,
) -> Response:
    field = _field(session, petition, field_id)
    details = _details(field)
    deleted = fields.remove_field(session, petition=petition, field=field)
    action = "petition.field_removed" if deleted else "petition.field_retired"
    record(session, user, action, petition, field_id=field_id, **details)
    message = (
        _("The field is removed.")
        if deleted
        else _("Signers answered it: it is off the form, and its answers stay in the export.")
    )
    return redirect(f"/admin/petitions/{petition.id}/fields", flash=message, request=request)


@router.post("/{petition_id}/fields/{field_id}/restore")
def restore_field(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    field_id: int,
) -> Response:
    field = _field(session, petition, field_id)
    if not fields.restore_field(session, petition=petition, field=field):
        message = _("The form has as many fields as it may: remove one first.")
    else:
        record(
            session, user, "petition.field_restored", petition, field_id=field_id, **_details(field)
        )
        message = _("The field is back on the form.")
    return redirect(f"/admin/petitions/{petition.id}/fields", flash=message, request=request)


@asks(Duty.campaign)
def field_to_edit(field_id: int, session: SessionDep, user: CurrentOrganiser) -> PetitionField:
    """A field whose petition the user may edit: 404 outside its organisation, else 403."""
    field = found(session.get(PetitionField, field_id))
    petition = found(session.get(Petition, field.petition_id))
    require_duty(session, user, petition.organisation_id, Duty.campaign)
    return field


@by_field_router.get("/{field_id}")
def field_by_id(field: Annotated[PetitionField, Depends(field_to_edit)]) -> Response:
    """Where the editor of a field's other languages leads back: the field's own page."""
    return redirect(f"/admin/petitions/{field.petition_id}/fields/{field.id}")
