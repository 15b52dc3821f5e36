"""A prisoner's consent to be named, on the organiser's side: its history, and recording or
withdrawing it (a withdrawal hides the person at once and pauses the campaigns naming them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner
from campaign.core import audit
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _, ngettext
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render
from campaign.prisoners import consent_forms
from campaign.prisoners.deps import PrisonerForEditor
from campaign.prisoners.models import ConsentState, Prisoner
from campaign.prisoners.service import consent

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
    context = {
        "prisoner": prisoner,
        "history": consent.history(session, prisoner.id),
        "public": consent.is_public(session, prisoner.id),
        "campaigns": consent.linked_campaigns(session, prisoner.id),
        "states": consent_forms.state_labels(),
        "froms": consent_forms.from_labels(),
        "from_choices": consent_forms.typed_from_choices(),
        "hows": consent_forms.how_labels(),
        "form": form,
        "errors": errors,
        "today": utcnow().date().isoformat(),
    }
    return render(
        request, "admin/prisoners/consent.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{prisoner_id}/consent")
def consent_page(request: Request, session: SessionDep, prisoner: PrisonerForEditor) -> Response:
    """Whether the person may be named, who said so, when and how, and the form to change it."""
    return _page(request, session, prisoner, {}, FormErrors())


@router.post("/{prisoner_id}/consent")
def record_consent(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    prisoner: PrisonerForEditor,
    raw: FormData,
) -> Response:
    """Record consent given or withdrawn; a withdrawal takes effect on the next request."""
    form, errors = consent_forms.parse_consent(raw, today=utcnow().date())
    if form is None:
        return _page(request, session, prisoner, raw, errors, status=400)
    paused = consent.record(session, prisoner=prisoner, form=form, user_id=user.id)
    audit.record(
        session,
        by=user,
        action=f"prisoner.consent:{form.state.value}",
        target=f"prisoner:{prisoner.id}",
        given_by=form.given_by.value,
        given_on=form.given_on.isoformat(),
        how=form.how.value,
    )
    for campaign in paused:
        audit.record(
            session,
            by=user,
            action="letters.delivery_paused_for_consent",
            target=f"letter_campaign:{campaign.id}",
            organisation_id=campaign.organisation_id,
        )
    if form.state is ConsentState.given:
        message = _("Consent is recorded: the person's page is public.")
    elif paused:
        message = ngettext(
            "Consent is withdrawn: the person is hidden and %(num)d letter campaign is paused.",
            "Consent is withdrawn: the person is hidden and %(num)d letter campaigns are paused.",
            len(paused),
        )
    else:
        message = _("Consent is withdrawn: the person is hidden.")
    return redirect(f"/admin/prisoners/{prisoner.id}/consent", flash=message, request=request)
