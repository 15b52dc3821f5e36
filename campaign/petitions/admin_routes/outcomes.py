"""The organiser area for a petition's outcome: marked won (a banner on its page, closed if
open) or given an official response (text, date, a PDF); each is shown at once and its message
to signers is a draft that goes through updates.py like any update."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _
from campaign.core.pdfs import UPLOAD_MAX_BYTES, PdfUploadError
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render, uploaded
from campaign.petitions.admin_routes.deps import PetitionToEdit, record
from campaign.petitions.admin_routes.updates import update_path
from campaign.petitions.forms import parse_update_form
from campaign.petitions.models import Petition
from campaign.petitions.service import outcomes

router = APIRouter(prefix="/admin/petitions")


def _outcome_page(
    request: Request,
    petition: Petition,
    which: str,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    context = {
        "petition": petition,
        "which": which,
        "form": form or {},
        "errors": errors or FormErrors(),
        "today": utcnow().date().isoformat(),
    }
    return render(
        request, "admin/petitions/outcome.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{petition_id}/won")
def won_page(request: Request, petition: PetitionToEdit) -> Response:
    """Mark the petition won, with a word to its signers."""
    return _outcome_page(request, petition, "won")


@router.get("/{petition_id}/responses")
def response_page(request: Request, petition: PetitionToEdit) -> Response:
    """Add an official response: its text, date and document."""
    return _outcome_page(request, petition, "response")


@router.post("/{petition_id}/won")
def mark_won(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
) -> Response:
    """Shown on the petition's page at once (closing it if open); the mail waits for its
    preview and confirmation."""
    form, errors = parse_update_form(raw)
    if form is None:
        return _outcome_page(request, petition, "won", raw, errors, status=400)
    draft = outcomes.mark_won(session, petition=petition, form=form, user_id=user.id)
    if draft is None:
        errors.add("form", _("This petition is marked as won already, or was never published."))
        return _outcome_page(request, petition, "won", raw, errors, status=409)
    record(session, user, "petition.won", petition)
    flash = _("The petition is marked as won. Check the message to signers, then send it.")
    return redirect(update_path(draft), flash=flash, request=request)


@router.post("/{petition_id}/responses")
def add_response(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
    document: Annotated[bytes | None, Depends(uploaded("document", UPLOAD_MAX_BYTES))],
) -> Response:
    """An official response (text, date, optional PDF), shown on the petition's page at once."""
    form, errors = parse_update_form(raw)
    responded_on = None
    try:
        responded_on = date.fromisoformat(raw.get("responded_on", "").strip())
    except ValueError:
        errors.add("responded_on", _("Enter a date such as 2027-03-31."))
    if form is None or responded_on is None:
        return _outcome_page(request, petition, "response", raw, errors, status=400)
    try:
        draft = outcomes.add_response(
            session,
            petition=petition,
            form=form,
            responded_on=responded_on,
            document=document,
            directory=request.app.state.settings.upload_dir,
            user_id=user.id,
        )
    except PdfUploadError as exc:
        errors.add("document", str(exc))
        return _outcome_page(request, petition, "response", raw, errors, status=400)
    record(session, user, "petition.response_added", petition, document=bool(draft.document))
    flash = _("The response is shown on the petition's page. Check the message, then send it.")
    return redirect(update_path(draft), flash=flash, request=request)
