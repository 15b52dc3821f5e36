"""A prisoner's events on the organiser's side: the list, recording one, changing, ending and
deleting it. The register is the install's: whoever campaigns in an organisation edits it, and
links a letter campaign of one of their own organisations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner
from campaign.accounts.models import User
from campaign.accounts.service.organisations import (
    campaigning_organisations,
    member_organisation_ids,
)
from campaign.core import audit
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _
from campaign.core.web import NO_STORE, FormData, FormErrors, found, redirect, render
from campaign.prisoners import event_forms
from campaign.prisoners.deps import PrisonerForEditor
from campaign.prisoners.models import Prisoner, PrisonerEvent
from campaign.prisoners.service import consent, events

router = APIRouter(prefix="/admin/prisoners")


def event_to_edit(prisoner: PrisonerForEditor, event_id: int, session: SessionDep) -> PrisonerEvent:
    """One of the prisoner's events; 404 for an unknown one or another person's."""
    event = found(session.get(PrisonerEvent, event_id))
    return found(event if event.prisoner_id == prisoner.id else None)


EventToEdit = Annotated[PrisonerEvent, Depends(event_to_edit)]


def _campaign_ids(
    session: SessionDep, user: User, keep: int | None = None
) -> list[tuple[int, str]]:
    """The campaigns the organiser may link: their campaigning organisations', and the one the
    event links already."""
    mine = {o.id for o in campaigning_organisations(session, user) if o.id is not None}
    seen_by = member_organisation_ids(session, user)
    return events.campaign_choices(session, mine, seen_by=seen_by, keep=keep)


def _page(
    request: Request,
    session: SessionDep,
    user: User,
    prisoner: Prisoner,
    *,
    event: PrisonerEvent | None = None,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    assert prisoner.id is not None
    recorded = events.events_of(session, prisoner.id)
    today = utcnow().date()
    context = {
        "prisoner": prisoner,
        "public": consent.is_public(session, prisoner.id),
        "events": recorded,
        "last_days": {e.id: events.last_day(e) for e in recorded},
        "endable": {e.id for e in recorded if events.can_end(e, today)},
        "titles": events.campaign_titles(
            session, recorded, seen_by=member_organisation_ids(session, user)
        ),
        "event": event,
        "kinds": event_forms.kind_labels(),
        "kind_choices": event_forms.typed_kind_choices(),
        "campaigns": _campaign_ids(session, user, event.letter_campaign_id if event else None),
        "form": form or {},
        "errors": errors or FormErrors(),
        "note_max": event_forms.NOTE_MAX,
    }
    template = "admin/prisoners/event.html" if event else "admin/prisoners/events.html"
    return render(request, template, context, status_code=status, headers=NO_STORE)


@router.get("/{prisoner_id}/events")
def event_list(
    request: Request, session: SessionDep, user: Campaigner, prisoner: PrisonerForEditor
) -> Response:
    """The person's events, and the form to record one."""
    return _page(request, session, user, prisoner)


def _audit(session: SessionDep, user: User, action: str, event: PrisonerEvent) -> None:
    audit.record(
        session,
        by=user,
        action=action,
        target=f"prisoner:{event.prisoner_id}",
        kind=event.kind,
        starts_on=event.starts_on.isoformat(),
    )


def _save(
    request: Request,
    session: SessionDep,
    user: User,
    prisoner: Prisoner,
    raw: dict[str, str],
    event: PrisonerEvent | None,
) -> Response:
    keep = event.letter_campaign_id if event else None
    allowed = {cid for cid, _title in _campaign_ids(session, user, keep)}
    form, errors = event_forms.parse_event(raw, campaign_ids=allowed)
    if form is None:
        return _page(
            request, session, user, prisoner, event=event, form=raw, errors=errors, status=400
        )
    saved = events.save_event(session, prisoner=prisoner, form=form, event=event, user_id=user.id)
    _audit(session, user, "prisoner.event_saved", saved)
    return redirect(
        f"/admin/prisoners/{prisoner.id}/events", flash=_("The event is saved."), request=request
    )


@router.post("/{prisoner_id}/events")
def add_event(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    raw: FormData,
) -> Response:
    return _save(request, session, user, prisoner, raw, None)


@router.get("/{prisoner_id}/events/{event_id}/edit")
def edit_event(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    event: EventToEdit,
) -> Response:
    values = event_forms.form_values(event)
    return _page(request, session, user, prisoner, event=event, form=values)


@router.post("/{prisoner_id}/events/{event_id}/edit")
def update_event(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    event: EventToEdit,
    raw: FormData,
) -> Response:
    """Change an event; a moved date is the same event, and followers are not reminded again."""
    return _save(request, session, user, prisoner, raw, event)


@router.post("/{prisoner_id}/events/{event_id}/end")
def end_event(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    event: EventToEdit,
) -> Response:
    """End a going-on event today (a hunger strike stopped)."""
    if events.end_event(session, event=event, today=utcnow().date()):
        _audit(session, user, "prisoner.event_ended", event)
        message = _("The event is ended today.")
    else:
        message = _("This event is not going on: there is nothing to end.")
    return redirect(f"/admin/prisoners/{prisoner.id}/events", flash=message, request=request)


@router.post("/{prisoner_id}/events/{event_id}/delete")
def delete_event(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    event: EventToEdit,
) -> Response:
    """Delete an event recorded by mistake (an event that took place is better ended)."""
    _audit(session, user, "prisoner.event_deleted", event)
    events.delete_event(session, event=event)
    return redirect(
        f"/admin/prisoners/{prisoner.id}/events", flash=_("The event is deleted."), request=request
    )
