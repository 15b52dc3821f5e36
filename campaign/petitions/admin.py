"""The organiser area for petitions: create, edit, publish, watch, export, invalidate."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response, StreamingResponse

from campaign.accounts.deps import CurrentAdmin, CurrentOrganiser
from campaign.accounts.models import User
from campaign.core import audit
from campaign.core.charts import daily_bars
from campaign.core.countries import country_choices
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _, ngettext
from campaign.core.images import MAX_BYTES, ImageError, store_image
from campaign.core.markdown import render_markdown
from campaign.core.switches import SIGNING_PAUSED, get_flag, set_flag
from campaign.core.web import FormData, FormErrors, found, redirect, render, uploaded
from campaign.petitions import exports, handover, manage, service, updates
from campaign.petitions.models import Petition, SignatureStatus

router = APIRouter(prefix="/admin/petitions")

NO_STORE = {"cache-control": "no-store"}


def petition_for_editor(petition_id: int, session: SessionDep, user: CurrentOrganiser) -> Petition:
    """The petition an organiser asked for; 404 when there is none."""
    return found(session.get(Petition, petition_id))


PetitionForEditor = Annotated[Petition, Depends(petition_for_editor)]


def _record(
    session: SessionDep, user: User, action: str, petition: Petition, **details: object
) -> None:
    audit.record(
        session,
        by=user,
        action=action,
        target=f"petition:{petition.id}",
        title=petition.title,
        **details,
    )


@router.get("")
def petitions(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    context = {
        "petitions": manage.all_petitions(session),
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


def _form_page(
    request: Request,
    petition: Petition | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    return render(
        request,
        "admin/petitions/form.html",
        {"petition": petition, "form": form, "errors": errors, "countries": country_choices()},
        status_code=status,
        headers=NO_STORE,
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
def new_petition(request: Request, user: CurrentOrganiser) -> Response:
    return _form_page(request, None, {"goal": "1000"}, FormErrors())


def _save_petition(
    request: Request,
    session: SessionDep,
    user: User,
    raw: dict[str, str],
    image: bytes | None,
    petition: Petition | None,
) -> Response:
    """Create (petition=None) or change a petition from its form, with its image."""
    form, errors = manage.parse_petition_form(raw)
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
        return _form_page(request, petition, raw, errors, status=400)
    if petition is None:
        petition = manage.create_petition(session, form=form, user_id=user.id)  # type: ignore[arg-type]
        action, message = "petition.created", _("The petition is saved as a draft.")
    else:
        manage.update_petition(session, petition=petition, form=form)
        action, message = "petition.edited", _("Your changes are saved.")
    if image_changed:
        directory = request.app.state.settings.upload_dir
        manage.set_image(session, petition=petition, name=image_name, directory=directory)
    _record(session, user, action, petition)
    return redirect(f"/admin/petitions/{petition.id}", flash=message, request=request)


@router.post("/new")
def create_petition(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: FormData,
    image: UploadedImage,
) -> Response:
    return _save_petition(request, session, user, raw, image, None)


@router.get("/{petition_id}/edit")
def edit_petition(request: Request, petition: PetitionForEditor) -> Response:
    return _form_page(request, petition, _petition_values(petition), FormErrors())


@router.post("/{petition_id}/edit")
def update_petition(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionForEditor,
    raw: FormData,
    image: UploadedImage,
) -> Response:
    return _save_petition(request, session, user, raw, image, petition)


@router.get("/{petition_id}/preview")
def preview_petition(request: Request, petition: PetitionForEditor) -> Response:
    context = {
        "petition": petition,
        "body_html": render_markdown(petition.body),
        "goal": service.displayed_goal(petition.signature_count, petition.goal),
    }
    return render(request, "admin/petitions/preview.html", context, headers=NO_STORE)


@router.post("/{petition_id}/status")
def change_status(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionForEditor,
    raw: FormData,
) -> Response:
    action = raw.get("action", "")
    if not manage.change_status(session, petition=petition, action=action):
        raise HTTPException(
            status_code=409,
            detail=_("This change is not possible in the petition's current state."),
        )
    _record(session, user, f"petition.{action}", petition)
    return redirect(
        f"/admin/petitions/{petition.id}", flash=_("The petition is updated."), request=request
    )


@router.get("/{petition_id}")
def petition_dashboard(
    request: Request, session: SessionDep, petition: PetitionForEditor
) -> Response:
    settings = request.app.state.settings
    board = manage.dashboard(
        session, petition=petition, trending_threshold=settings.trending_threshold
    )
    context = {
        "petition": petition,
        "board": board,
        "chart": daily_bars(board.per_day, label=_("Signatures per day, last 30 days")),
        "tallies": service.tallies(session, petition),
        "events": audit.recent_events(session, target=f"petition:{petition.id}", limit=20),
        "countries": country_choices(),
        "statuses": [s.value for s in SignatureStatus],
    }
    return render(request, "admin/petitions/dashboard.html", context, headers=NO_STORE)


# -- exports -----------------------------------------------------------------------------------


def _csv(filename: str, body: object) -> Response:
    headers = {"content-disposition": f'attachment; filename="{filename}"', **NO_STORE}
    if isinstance(body, bytes):
        return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
    return StreamingResponse(body, media_type="text/csv; charset=utf-8", headers=headers)  # type: ignore[arg-type]


@router.get("/{petition_id}/export/signatures.csv")
def export_signatures(
    request: Request, session: SessionDep, user: CurrentOrganiser, petition: PetitionForEditor
) -> Response:
    # The session commits the audit entry when the route returns, before the first row is sent.
    _record(session, user, "petition.exported", petition, export="signatures")
    rows = exports.signatures_csv(request.app.state.engine, petition.id)  # type: ignore[arg-type]
    return _csv(f"{petition.slug}-signatures.csv", rows)


@router.get("/{petition_id}/export/by-day.csv")
def export_by_day(
    session: SessionDep, user: CurrentOrganiser, petition: PetitionForEditor
) -> Response:
    _record(session, user, "petition.exported", petition, export="by-day")
    return _csv(f"{petition.slug}-by-day.csv", exports.by_day_csv(session, petition))


@router.get("/{petition_id}/export/by-country.csv")
def export_by_country(
    session: SessionDep, user: CurrentOrganiser, petition: PetitionForEditor
) -> Response:
    _record(session, user, "petition.exported", petition, export="by-country")
    return _csv(f"{petition.slug}-by-country.csv", exports.by_country_csv(session, petition))


# -- invalidating ------------------------------------------------------------------------------


def _criteria(values: dict[str, str]) -> tuple[manage.SignatureFilter, FormErrors]:
    errors = FormErrors()
    dates: dict[str, datetime | None] = {}
    for name in ("created_from", "created_to"):
        dates[name] = None
        if values.get(name):
            try:
                dates[name] = datetime.fromisoformat(values[name]).replace(
                    tzinfo=datetime.now().astimezone().tzinfo
                )
            except ValueError:
                errors.add(name, _("Enter a date and time such as 2026-11-24T18:00."))
    status = values.get("status", "")
    if status and status not in {s.value for s in SignatureStatus}:
        errors.add("status", _("Choose a state from the list."))
    criteria = manage.SignatureFilter(
        # "@" alone is no domain: it must not turn an empty filter into "every signature".
        email_domain=values.get("email_domain", "").strip().lstrip("@").strip()[:200],
        email_contains=values.get("email_contains", "").strip()[:200],
        ip_hash=values.get("ip_hash", "").strip()[:64],
        country=values.get("country", "").strip()[:2],
        status=status,
        suspect_only=values.get("suspect_only") == "1",
        created_from=dates["created_from"],
        created_to=dates["created_to"],
    )
    return criteria, errors


def _trail(criteria: manage.SignatureFilter) -> dict[str, str]:
    """The criteria for the audit trail; what was typed about addresses may be someone's address,
    so only that an e-mail criterion was used is recorded."""
    hidden = {"email_domain", "email_contains"}
    return {
        key: ("(given)" if key in hidden else str(value))
        for key, value in criteria.__dict__.items()
        if value
    }


def _invalidate_page(
    request: Request,
    petition: Petition,
    form: dict[str, str],
    errors: FormErrors,
    matches: dict[str, int] | None = None,
    status: int = 200,
) -> Response:
    context = {
        "petition": petition,
        "form": form,
        "errors": errors,
        "matches": matches,
        "countries": country_choices(),
        "statuses": [s.value for s in SignatureStatus],
    }
    return render(
        request, "admin/petitions/invalidate.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{petition_id}/invalidate")
def invalidate_form(request: Request, petition: PetitionForEditor) -> Response:
    return _invalidate_page(request, petition, {}, FormErrors())


@router.post("/{petition_id}/invalidate")
def invalidate(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionForEditor,
    raw: FormData,
) -> Response:
    """Preview how many signatures match (action=preview), or invalidate them with a reason."""
    criteria, errors = _criteria(raw)
    if criteria.is_empty():
        errors.add("form", _("Choose at least one criterion."))
    if errors:
        return _invalidate_page(request, petition, raw, errors, status=400)
    matches = manage.count_matching(session, petition=petition, criteria=criteria)
    reason = " ".join(raw.get("reason", "").split())[:300]
    if raw.get("action") == "accept":
        accepted = manage.accept_signatures(session, petition=petition, criteria=criteria)
        _record(
            session, user, "petition.accepted", petition, count=accepted, criteria=_trail(criteria)
        )
        message = ngettext(
            "%(num)d signature is no longer suspect.",
            "%(num)d signatures are no longer suspect.",
            accepted,
        )
        return redirect(f"/admin/petitions/{petition.id}", flash=message, request=request)
    if raw.get("action") != "invalidate":
        return _invalidate_page(request, petition, raw, errors, matches)
    if not reason:
        errors.add("reason", _("Say why these signatures are invalid."))
        return _invalidate_page(request, petition, raw, errors, matches, status=400)
    changed = manage.invalidate_signatures(
        session, petition=petition, criteria=criteria, reason=reason
    )
    _record(
        session,
        user,
        "petition.invalidated",
        petition,
        count=changed,
        reason=reason,
        criteria=_trail(criteria),
    )
    message = ngettext("%(num)d signature invalidated.", "%(num)d signatures invalidated.", changed)
    return redirect(f"/admin/petitions/{petition.id}", flash=message, request=request)


# -- updates to signers ------------------------------------------------------------------------


def _updates_page(
    request: Request,
    session: SessionDep,
    petition: Petition,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {
        "petition": petition,
        "form": form,
        "errors": errors,
        "recipients": len(updates.update_recipients(session, petition)),
        "past": updates.past_updates(session, petition),
    }
    return render(
        request, "admin/petitions/updates.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{petition_id}/updates")
def updates_form(request: Request, session: SessionDep, petition: PetitionForEditor) -> Response:
    return _updates_page(request, session, petition, {}, FormErrors())


@router.post("/{petition_id}/updates")
def send_update(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionForEditor,
    raw: FormData,
) -> Response:
    subject = " ".join(raw.get("subject", "").split())
    body = raw.get("body", "").replace("\r\n", "\n").strip()
    errors = FormErrors()
    if not subject or len(subject) > 200:
        errors.add("subject", _("Write a subject of at most %(count)s characters.", count=200))
    if not body or len(body) > 20_000:
        errors.add("body", _("Write the message (at most %(count)s characters).", count=20_000))
    if errors:
        return _updates_page(request, session, petition, raw, errors, status=400)
    update = updates.send_update(
        session,
        settings=request.app.state.settings,
        petition=petition,
        subject=subject,
        body=body,
        user_id=user.id,  # type: ignore[arg-type]
    )
    _record(
        session, user, "petition.update_sent", petition, count=update.recipients, subject=subject
    )
    message = ngettext(
        "The update goes to %(num)d signer.",
        "The update goes to %(num)d signers.",
        update.recipients,
    )
    return redirect(f"/admin/petitions/{petition.id}/updates", flash=message, request=request)


# -- hand-over ---------------------------------------------------------------------------------


def handover_choice(
    include_names: bool = False, include_addressee_country: bool = False
) -> handover.Choice:
    """The organiser's choice for one hand-over, from the hand-over page's GET form."""
    return handover.Choice(include_names, include_addressee_country)


HandoverChoice = Annotated[handover.Choice, Depends(handover_choice)]


@router.get("/{petition_id}/handover")
def handover_page(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionForEditor,
    choice: HandoverChoice,
) -> Response:
    """A print view for delivering the petition: counts, and names only of signers who agreed."""
    names = choice.names_from(petition)
    _record(session, user, "petition.exported", petition, export="handover", names=names)
    generated = utcnow()
    context = {
        "petition": petition,
        "choice": choice,
        "query": urlencode({k: "1" for k, v in asdict(choice).items() if v}),
        "summary": handover.summarise(session, petition, choice),
        "signers": list(handover.named_signers(session, petition, choice)),
        "dates": handover.dates(petition, generated),
        "body_html": render_markdown(petition.body),
    }
    return render(request, "admin/petitions/handover.html", context, headers=NO_STORE)


@router.get("/{petition_id}/handover.pdf")
def handover_pdf(
    session: SessionDep, user: CurrentOrganiser, petition: PetitionForEditor, choice: HandoverChoice
) -> Response:
    names = choice.names_from(petition)
    _record(session, user, "petition.exported", petition, export="handover.pdf", names=names)
    body = handover.handover_pdf(session, petition, choice=choice, generated=utcnow())
    headers = {
        "content-disposition": f'attachment; filename="{petition.slug}-handover.pdf"',
        **NO_STORE,
    }
    return Response(body, media_type="application/pdf", headers=headers)
