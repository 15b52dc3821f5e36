"""An organisation's webhooks, for its owners: add, change, pause, rotate the secret, delete,
and each webhook's recent deliveries with dead letters to send again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser, organisation_for
from campaign.accounts.models import Organisation
from campaign.accounts.service.roles import Duty
from campaign.core.db import SessionDep
from campaign.core.i18n import _
from campaign.core.web import NO_STORE, FormData, FormErrors, found, redirect, render, repeated
from campaign.hooks import service
from campaign.hooks.forms import WebhookForm, event_choices
from campaign.hooks.models import Webhook

router = APIRouter(prefix="/admin/organisations/{organisation_id}/webhooks")

OrganisationToManage = Annotated[Organisation, Depends(organisation_for(Duty.connect))]
Events = Annotated[list[str], Depends(repeated("events"))]


def _base(organisation: Organisation) -> str:
    return f"/admin/organisations/{organisation.id}/webhooks"


def _page(
    request: Request,
    template: str,
    context: dict[str, Any],
    form: WebhookForm | None,
    shown: dict[str, Any],
) -> Response:
    """A webhook page with its form: as sent back with errors (400), or `shown` when fresh."""
    context |= {
        "choices": event_choices(),
        "form": form.values() if form else shown,
        "errors": form.errors if form else FormErrors(),
    }
    status = 400 if form and form.errors else 200
    return render(request, template, context, status_code=status, headers=NO_STORE)


def _list_page(
    request: Request,
    session: SessionDep,
    organisation: Organisation,
    form: WebhookForm | None = None,
) -> Response:
    hooks = service.webhooks_of(session, organisation.id)  # type: ignore[arg-type]
    context = {"organisation": organisation, "webhooks": hooks}
    return _page(request, "hooks/list.html", context, form, {"events": [], "active": True})


def _hook(session: SessionDep, organisation: Organisation, webhook_id: int) -> Webhook:
    return found(service.webhook_of(session, organisation.id, webhook_id))  # type: ignore[arg-type]


def _hook_page(
    request: Request,
    session: SessionDep,
    organisation: Organisation,
    hook: Webhook,
    form: WebhookForm | None = None,
) -> Response:
    context = {
        "organisation": organisation,
        "hook": hook,
        "deliveries": service.recent_deliveries(session, hook),
    }
    shown = {"url": hook.url, "events": hook.events, "active": hook.active}
    return _page(request, "hooks/webhook.html", context, form, shown)


@router.get("")
def webhooks(request: Request, session: SessionDep, organisation: OrganisationToManage) -> Response:
    return _list_page(request, session, organisation)


@router.post("")
def add(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    raw: FormData,
    events: Events,
) -> Response:
    """A new webhook; its page then shows the secret to give the receiving system."""
    form = WebhookForm.read(raw, events, request.app.state.settings)
    if form.errors:
        return _list_page(request, session, organisation, form)
    hook = service.create_webhook(
        session,
        organisation_id=organisation.id,  # type: ignore[arg-type]
        url=form.url,
        events=form.events,
        by=user,
    )
    message = _("The webhook is added. Give its secret to the system that receives it.")
    return redirect(f"{_base(organisation)}/{hook.id}", flash=message, request=request)


@router.get("/{webhook_id}")
def webhook(
    request: Request, session: SessionDep, organisation: OrganisationToManage, webhook_id: int
) -> Response:
    return _hook_page(request, session, organisation, _hook(session, organisation, webhook_id))


@router.post("/{webhook_id}")
def change(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    webhook_id: int,
    raw: FormData,
    events: Events,
) -> Response:
    hook = _hook(session, organisation, webhook_id)
    form = WebhookForm.read(raw, events, request.app.state.settings)
    if form.errors:
        return _hook_page(request, session, organisation, hook, form)
    service.update_webhook(
        session, hook, url=form.url, events=form.events, active=form.active, by=user
    )
    message = _("The webhook is saved.") if form.active else _("The webhook is paused.")
    return redirect(f"{_base(organisation)}/{hook.id}", flash=message, request=request)


@router.post("/{webhook_id}/rotate")
def rotate(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    webhook_id: int,
) -> Response:
    hook = _hook(session, organisation, webhook_id)
    service.rotate_secret(session, hook, by=user)
    message = _("A new secret signs deliveries from now on; the old one no longer does.")
    return redirect(f"{_base(organisation)}/{hook.id}", flash=message, request=request)


@router.post("/{webhook_id}/deliveries/{delivery_id}/resend")
def resend(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    webhook_id: int,
    delivery_id: int,
) -> Response:
    """Send a dead letter again, under the same Webhook-Id."""
    hook = _hook(session, organisation, webhook_id)
    done = service.resend(session, hook, delivery_id, by=user)
    message = (
        _("The delivery will be sent again in a moment.")
        if done
        else _("This delivery is not a dead letter any more.")
    )
    return redirect(f"{_base(organisation)}/{hook.id}", flash=message, request=request)


# Last, so that a walk of every route (tests/accounts/test_roles.py) meets it after the others.
@router.post("/{webhook_id}/delete")
def delete(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    organisation: OrganisationToManage,
    webhook_id: int,
) -> Response:
    service.delete_webhook(session, _hook(session, organisation, webhook_id), by=user)
    return redirect(_base(organisation), flash=_("The webhook is deleted."), request=request)
