"""The organiser's view of a letter campaign's delivery: counts, queue, pauses, replies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser
from campaign.accounts.models import User
from campaign.accounts.service.organisations import role_in
from campaign.accounts.service.roles import duties_of
from campaign.core import audit
from campaign.core.charts import daily_bars
from campaign.core.db import SessionDep, utcnow
from campaign.core.fields import row_id
from campaign.core.i18n import _, ngettext
from campaign.core.images import MAX_BYTES, ImageError
from campaign.core.web import (
    NO_STORE,
    FormData,
    FormErrors,
    csv_attachment,
    redirect,
    render,
    uploaded,
)
from campaign.letters import exports
from campaign.letters.admin_routes.deps import CampaignToEdit, CampaignToView
from campaign.letters.models import LetterCampaign
from campaign.letters.service import campaigns, dashboard, delivery, replies
from campaign.prisoners.service import consent

router = APIRouter(prefix="/admin/letters")


def _dashboard_page(
    request: Request,
    session: SessionDep,
    user: User,
    campaign: LetterCampaign,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    board = dashboard.dashboard(session, campaign)
    context = {
        "campaign": campaign,
        "can": duties_of(role_in(session, user, campaign.organisation_id)),
        "board": board,
        "chart": daily_bars(board.per_day, label=_("Letters per day, last 30 days")),
        "replies": replies.replies_of(session, campaign),
        "reported": replies.reported_replies(session, campaign),
        "notes": replies.reply_notes(session, campaign),
        "templates": campaigns.templates_of(session, campaign),
        "hidden_for_consent": consent.campaign_hidden(session, campaign),
        "official_choices": [(row.official.id, row.official.name) for row in board.rows],
        "form": form or {"received_on": utcnow().date().isoformat()},
        "errors": errors or FormErrors(),
    }
    return render(
        request, "admin/letters/dashboard.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{campaign_id}/dashboard")
def delivery_dashboard(
    request: Request, session: SessionDep, user: CurrentOrganiser, campaign: CampaignToView
) -> Response:
    return _dashboard_page(request, session, user, campaign)


def _official_of(campaign_targets: list[int], raw: dict[str, str]) -> int | None:
    """The targeted official a form names, None for the whole campaign; 400 for another."""
    value = raw.get("official_id", "")
    if not value:
        return None
    official_id = row_id(value)
    if official_id is None or official_id not in campaign_targets:
        raise HTTPException(status_code=400, detail=_("This official is not a target."))
    return official_id


@router.post("/{campaign_id}/delivery")
def change_delivery(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignToEdit,
    raw: FormData,
) -> Response:
    """Pause or resume the campaign or one official; cancel an official's unsent letters."""
    ids = [o.id for o in campaigns.targets(session, campaign) if o.id is not None]
    official_id = _official_of(ids, raw)
    action = raw.get("action", "")
    if action in {"pause", "resume"}:
        delivery.set_paused(
            session, campaign=campaign, official_id=official_id, paused=action == "pause"
        )
        message = _("Your changes are saved.")
    elif action == "cancel" and official_id is not None:
        cancelled = delivery.cancel_for_official(
            session, campaign=campaign, official_id=official_id
        )
        message = ngettext("%(num)d letter cancelled.", "%(num)d letters cancelled.", cancelled)
    else:
        raise HTTPException(status_code=400, detail=_("Unknown action."))
    audit.record(
        session,
        by=user,
        action=f"letters.delivery_{action}",
        target=f"letter_campaign:{campaign.id}",
        organisation_id=campaign.organisation_id,
        official=official_id or "all",
    )
    return redirect(f"/admin/letters/{campaign.id}/dashboard", flash=message, request=request)


@router.post("/{campaign_id}/test")
def send_test(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignToEdit,
    raw: FormData,
) -> Response:
    """Mail the organiser a [TEST] letter filled with the sample values."""
    sent = delivery.send_test_letter(
        session,
        settings=request.app.state.settings,
        campaign=campaign,
        language=raw.get("language", "en"),
        to=user.email,
        name=user.name,
        today=utcnow().date(),
    )
    if not sent:
        raise HTTPException(status_code=409, detail=_("The campaign has no template yet."))
    flash = _("A test letter is on its way to %(address)s.", address=user.email)
    return redirect(f"/admin/letters/{campaign.id}/dashboard", flash=flash, request=request)


@router.post("/{campaign_id}/replies")
def add_reply(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignToEdit,
    raw: FormData,
    file: Annotated[bytes | None, Depends(uploaded("file", MAX_BYTES))],
) -> Response:
    """Record an official's answer (date, summary, optional scan): shown on the campaign page."""
    errors = FormErrors()
    ids = [o.id for o in campaigns.targets(session, campaign) if o.id is not None]
    official = raw.get("official_id", "")
    if row_id(official) not in ids:
        errors.add("official_id", _("Choose the official who answered."))
    try:
        received = date.fromisoformat(raw.get("received_on", "").strip())
    except ValueError:
        errors.add("received_on", _("Enter a date such as 2027-03-31."))
    summary = raw.get("summary", "").replace("\r\n", "\n").strip()
    if not summary or len(summary) > replies.SUMMARY_MAX:
        errors.add(
            "summary",
            _("Sum up the answer in at most %(count)s characters.", count=replies.SUMMARY_MAX),
        )
    name = None
    if file is not None and not errors:
        try:
            name = replies.store_reply_file(file, request.app.state.settings.upload_dir)
        except ImageError as exc:
            errors.add("file", str(exc))
    if errors:
        return _dashboard_page(request, session, user, campaign, raw, errors, status=400)
    reply = replies.record_reply(
        session,
        campaign=campaign,
        official_id=int(official),
        received_on=received,
        summary=summary,
        file_name=name,
    )
    audit.record(
        session,
        by=user,
        action="letters.reply_recorded",
        target=f"official_reply:{reply.id}",
        organisation_id=campaign.organisation_id,
    )
    flash = _("The reply is recorded and shown on the campaign page.")
    return redirect(f"/admin/letters/{campaign.id}/dashboard", flash=flash, request=request)


@router.get("/{campaign_id}/counts.csv")
def counts_csv(
    request: Request, session: SessionDep, user: CurrentOrganiser, campaign: CampaignToView
) -> Response:
    """Letters per official and day, one column per event: counts only, no supporter data."""
    audit.record(
        session,
        by=user,
        action="letters.counts_exported",
        target=f"letter_campaign:{campaign.id}",
        organisation_id=campaign.organisation_id,
    )
    return csv_attachment(f"{campaign.slug}-letters.csv", exports.counts_csv(session, campaign))
