"""The organiser area for petitions, editing: the list, create, edit, preview, publish, pause,
and the dashboard."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner, CurrentAdmin, CurrentOrganiser
from campaign.accounts.forms import check_organisation
from campaign.accounts.models import User
from campaign.accounts.service.organisations import (
    campaigning_organisations,
    organisation_names,
    role_in,
    standing,
)
from campaign.accounts.service.roles import duties_of
from campaign.core import audit
from campaign.core.charts import daily_bars
from campaign.core.countries import country_choices
from campaign.core.db import SessionDep
from campaign.core.fields import row_id
from campaign.core.i18n import _
from campaign.core.images import MAX_BYTES, ImageError, store_image
from campaign.core.markdown import render_markdown
from campaign.core.switches import SIGNING_PAUSED, get_flag, set_flag
from campaign.core.web import (
    NO_STORE,
    FormData,
    FormErrors,
    redirect,
    render,
    repeated,
    uploaded,
)
from campaign.petitions.admin_routes.deps import PetitionToEdit, PetitionToView, record
from campaign.petitions.forms import parse_petition_form
from campaign.petitions.models import Petition, SignatureStatus
from campaign.petitions.service import coalition, fields, manage
from campaign.petitions.service.counting import tallies
from campaign.petitions.service.public import displayed_goal

router = APIRouter(prefix="/admin/petitions")


@router.get("")
def petitions(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    mine = standing(session, user)
    context = {
        "petitions": manage.all_petitions(session, mine.ids),
        "partnered": coalition.partnered_petitions(session, mine.ids),
        "mine": mine,
        "site_paused": get_flag(session, SIGNING_PAUSED),
    }
    return render(request, "admin/petitions/list.html", context, headers=NO_STORE)


@router.post("/pause-all")
def pause_all(request: Request, session: SessionDep, user: CurrentAdmin, raw: FormData) -> Response:
    paused = raw.get("paused") == "1"
    set_flag(session, SIGNING_PAUSED, paused)
    audit.record(session, by=user, action="site.signing_paused", paused=paused)
    message = _("Signing is paused on every petition.") if paused else _("Signing is open again.")
    return redirect("/admin/petitions", flash=message, request=request)


def _organisation_choices(session: SessionDep, user: User) -> list[tuple[int, str]]:
    """(id, name) of the organisations in which the person may start a petition."""
    return [(o.id, o.name) for o in campaigning_organisations(session, user) if o.id is not None]


def _form_page(
    request: Request,
    session: SessionDep,
    user: User,
    petition: Petition | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
    partners: set[int] | None = None,
) -> Response:
    """The petition's form: a new one is started in one of the person's organisations (chosen
    here); an existing one names the organisation it belongs to, and its partners."""
    context: dict[str, object] = {
        "petition": petition,
        "form": form,
        "errors": errors,
        "countries": country_choices(),
    }
    if petition is None:
        context["organisations"] = _organisation_choices(session, user)
    else:
        names = organisation_names(session, {petition.organisation_id})
        context["organisation_name"] = names.get(petition.organisation_id, "")
        context["partner_choices"] = coalition.partner_choices(session, petition.organisation_id)
        context["partners"] = (
            partners
            if partners is not None
            else {oid for oid, _name in coalition.partners_of(session, petition.id)}
        )
    return render(
        request, "admin/petitions/form.html", context, status_code=status, headers=NO_STORE
    )


def _petition_values(petition: Petition) -> dict[str, str]:
    return {
        "title": petition.title,
        "slug": petition.slug,
        "summary": petition.summary,
        "body": petition.body,
        "addressee": petition.addressee,
        "addressee_country": petition.addressee_country,
        "goal": str(petition.goal),
        "ends_at": petition.ends_at.date().isoformat() if petition.ends_at else "",
    }


UploadedImage = Annotated[bytes | None, Depends(uploaded("image", MAX_BYTES))]


def _image_change(
    request: Request, image: bytes | None, raw: dict[str, str], errors: FormErrors
) -> tuple[bool, str | None]:
    """Whether the image changes, and to what stored name (None: removed)."""
    if image is not None:
        try:
            return True, store_image(image, request.app.state.settings.upload_dir)
        except ImageError as exc:
            errors.add("image", str(exc))
            return False, None
    return raw.get("remove_image") == "1", None


@router.get("/new")
def new_petition(request: Request, session: SessionDep, user: Campaigner) -> Response:
    form = {"goal": "1000"}
    choices = _organisation_choices(session, user)
    if len(choices) == 1:
        form["organisation_id"] = str(choices[0][0])
    return _form_page(request, session, user, None, form, FormErrors())


def _save_petition(
    request: Request,
    session: SessionDep,
    user: User,
    raw: dict[str, str],
    image: bytes | None,
    petition: Petition | None,
    partner_values: list[str] | None = None,
) -> Response:
    """Create (petition=None) or change a petition from its form, with its image and (for an
    existing one) its partner organisations."""
    form, errors = parse_petition_form(raw)
    partners: set[int] | None = None
    if petition is not None:
        allowed = {
            oid for oid, _name in coalition.partner_choices(session, petition.organisation_id)
        }
        partners = {oid for value in partner_values or [] if (oid := row_id(value)) is not None}
        if not partners <= allowed or len(partners) > coalition.MAX_PARTNERS:
            errors.add("partners", _("Choose partner organisations from the list."))
    organisation_id = None
    if petition is None:
        choices = {oid for oid, _name in _organisation_choices(session, user)}
        organisation_id = check_organisation(raw, choices, errors)
    except_id = petition.id if petition is not None else None
    if form is not None and manage.slug_taken(session, form.slug, except_id=except_id):
        if raw.get("slug", "").strip():
            errors.add("slug", _("Another petition uses this address already."))
        else:
            errors.add(
                "slug",
                _("A petition with a similar title exists: choose a web address for this one."),
            )
    image_changed, image_name = _image_change(request, image, raw, errors)
    if form is None or errors:
        return _form_page(request, session, user, petition, raw, errors, 400, partners)
    if petition is None:
        assert organisation_id is not None
        petition = manage.create_petition(
            session,
            form=form,
            user_id=user.id,  # type: ignore[arg-type]
            organisation_id=organisation_id,
        )
        action, message = "petition.created", _("The petition is saved as a draft.")
    else:
        manage.update_petition(session, petition=petition, form=form)
        action, message = "petition.edited", _("Your changes are saved.")
        added, taken_off = coalition.set_partners(session, petition, partners or set())
        if added or taken_off:
            names = [name for _oid, name in coalition.partners_of(session, petition.id)]
            record(session, user, "petition.partners_changed", petition, partners=names)
            # Each partner's owners read in their own trail that they were named, or no longer.
            for oid, action in [(o, "named") for o in added] + [(o, "removed") for o in taken_off]:
                audit.record(
                    session,
                    by=user,
                    action=f"petition.partner_{action}",
                    target=f"petition:{petition.id}",
                    organisation_id=oid,
                    title=petition.title,
                )
    if image_changed:
        directory = request.app.state.settings.upload_dir
        manage.set_image(session, petition=petition, name=image_name, directory=directory)
    record(session, user, action, petition)
    return redirect(f"/admin/petitions/{petition.id}", flash=message, request=request)


@router.post("/new")
def create_petition(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: FormData,
    image: UploadedImage,
) -> Response:
    return _save_petition(request, session, user, raw, image, None)


@router.get("/{petition_id}/edit")
def edit_petition(
    request: Request, session: SessionDep, user: CurrentOrganiser, petition: PetitionToEdit
) -> Response:
    return _form_page(request, session, user, petition, _petition_values(petition), FormErrors())


@router.post("/{petition_id}/edit")
def update_petition(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
    image: UploadedImage,
    partners: Annotated[list[str], Depends(repeated("partners"))],
) -> Response:
    return _save_petition(request, session, user, raw, image, petition, partners)


@router.get("/{petition_id}/preview")
def preview_petition(request: Request, petition: PetitionToView) -> Response:
    context = {
        "petition": petition,
        "body_html": render_markdown(petition.body),
        "goal": displayed_goal(petition.signature_count, petition.goal),
    }
    return render(request, "admin/petitions/preview.html", context, headers=NO_STORE)


@router.post("/{petition_id}/status")
def change_status(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
) -> Response:
    action = raw.get("action", "")
    if not manage.change_status(session, petition=petition, action=action):
        raise HTTPException(
            status_code=409,
            detail=_("This change is not possible in the petition's current state."),
        )
    record(session, user, f"petition.{action}", petition)
    return redirect(
        f"/admin/petitions/{petition.id}", flash=_("The petition is updated."), request=request
    )


@router.get("/{petition_id}")
def petition_dashboard(
    request: Request, session: SessionDep, user: CurrentOrganiser, petition: PetitionToView
) -> Response:
    settings = request.app.state.settings
    board = manage.dashboard(
        session, petition=petition, trending_threshold=settings.trending_threshold
    )
    context = {
        "petition": petition,
        "can": duties_of(role_in(session, user, petition.organisation_id)),
        "partners": coalition.partners_of(session, petition.id),
        "partner_consents": coalition.consent_counts(session, petition),
        "board": board,
        "chart": daily_bars(board.per_day, label=_("Signatures per day, last 30 days")),
        "tallies": tallies(session, petition),
        "answers": fields.answer_counts(session, petition),
        # The host's own events: a partner's exports are in the partner's trail, not here.
        "events": audit.readable(
            session,
            [
                event
                for event in audit.recent_events(
                    session, target=f"petition:{petition.id}", limit=40
                )
                if event.organisation_id in (None, petition.organisation_id)
            ][:20],
        ),
        "countries": country_choices(),
        "statuses": [s.value for s in SignatureStatus],
    }
    return render(request, "admin/petitions/dashboard.html", context, headers=NO_STORE)
