"""Recording a transfer on the organiser's side: where the person was moved, from which day
(often learnt late, so it may lie in the past), the new envelope address, and the history."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner
from campaign.core import audit
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render
from campaign.prisoners import transfer_forms
from campaign.prisoners.deps import PrisonerForEditor
from campaign.prisoners.models import Prisoner
from campaign.prisoners.service import facilities, transfers

router = APIRouter(prefix="/admin/prisoners")


def _page(
    request: Request,
    session: SessionDep,
    prisoner: Prisoner,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    assert prisoner.id is not None
    names = facilities.facility_names(session)
    earliest = transfers.earliest_date(session, prisoner)
    context = {
        "prisoner": prisoner,
        "current": names.get(prisoner.facility_id or 0, ""),
        "facilities": [(f.name, f.name) for f, _held in facilities.list_facilities(session)],
        "history": transfers.history(session, prisoner.id),
        "earliest": earliest.isoformat() if earliest else "",
        "today": utcnow().date().isoformat(),
        "form": form,
        "errors": errors,
    }
    return render(
        request, "admin/prisoners/transfer.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{prisoner_id}/transfer")
def transfer_page(request: Request, session: SessionDep, prisoner: PrisonerForEditor) -> Response:
    """Where the person is held and was held, and the form to record a move."""
    return _page(request, session, prisoner, {}, FormErrors())


@router.post("/{prisoner_id}/transfer")
def record_transfer(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    raw: FormData,
) -> Response:
    """Record the move; the worker mails the new address to followers and recent writers."""
    today = utcnow().date()
    form, errors = transfer_forms.parse_transfer(
        raw,
        facilities.facility_ids(session),
        current=prisoner.facility_id,
        earliest=transfers.earliest_date(session, prisoner),
        today=today,
    )
    if form is None:
        return _page(request, session, prisoner, raw, errors, status=400)
    transfers.record_transfer(session, prisoner=prisoner, form=form, today=today)
    audit.record(
        session,
        by=user,
        action="prisoner.transferred",
        target=f"prisoner:{prisoner.id}",
        facility_id=form.facility_id,
        moved_on=form.moved_on.isoformat(),
    )
    message = _("The transfer is recorded: volunteers who follow or wrote lately get the address.")
    return redirect(f"/admin/prisoners/{prisoner.id}/transfer", flash=message, request=request)
