"""The organiser area for letter campaigns: details and targeted officials, templates checked
and previewed, opening and closing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from campaign.accounts.deps import Campaigner, CurrentOrganiser
from campaign.accounts.forms import check_organisation
from campaign.accounts.models import User
from campaign.accounts.service.organisations import (
    campaigning_organisations,
    member_organisation_ids,
    organisation_names,
    standing,
)
from campaign.core import audit
from campaign.core.db import SessionDep, utcnow
from campaign.core.fields import row_id
from campaign.core.i18n import _
from campaign.core.web import NO_STORE, FormData, FormErrors, redirect, render, repeated
from campaign.letters import forms
from campaign.letters.admin_routes.deps import CampaignToEdit
from campaign.letters.models import LetterCampaign, LetterTemplate
from campaign.letters.service import campaigns, officials
from campaign.letters.service.letter_templates import VARIABLES
from campaign.letters.service.wording import gaps
from campaign.petitions.service.public import petition_choices
from campaign.prisoners.service import consent
from campaign.prisoners.service.prisoners import prisoner_choices

router = APIRouter(prefix="/admin/letters")


@router.get("")
def letter_campaigns(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    mine = standing(session, user)
    context = {"campaigns": campaigns.all_campaigns(session, mine.ids), "mine": mine}
    return render(request, "admin/letters/list.html", context, headers=NO_STORE)


def _organisation_choices(session: SessionDep, user: User) -> list[tuple[int, str]]:
    """(id, name) of the organisations in which the person may start a campaign."""
    return [(o.id, o.name) for o in campaigning_organisations(session, user) if o.id is not None]


def _campaign_page(
    request: Request,
    session: SessionDep,
    user: User,
    campaign: LetterCampaign | None,
    form: dict[str, str],
    chosen: set[int],
    errors: FormErrors,
    status: int = 200,
    refusal: str | None = None,
) -> Response:
    context: dict[str, object] = {
        "campaign": campaign,
        "form": form,
        "errors": errors,
        "chosen": chosen,
        "officials": officials.list_officials(session),
        "templates": campaigns.templates_of(session, campaign) if campaign else [],
        "petitions": petition_choices(session, member_organisation_ids(session, user)),
        "prisoners": prisoner_choices(session),
        "hidden_for_consent": consent.campaign_hidden(session, campaign),
        # What each language's letters still lack, shown before the organiser publishes.
        "gaps": campaigns.language_gaps(session, campaign) if campaign else {},
        "refusal": refusal,
    }
    if campaign is None:
        context["organisations"] = _organisation_choices(session, user)
    else:
        names = organisation_names(session, {campaign.organisation_id})
        context["organisation_name"] = names.get(campaign.organisation_id, "")
    return render(
        request, "admin/letters/campaign.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/new")
def new_campaign(request: Request, session: SessionDep, user: Campaigner) -> Response:
    # A campaign's defaults, as a form shows them (the organisation is chosen in the form).
    defaults = campaigns.form_values(LetterCampaign(slug="", title="", organisation_id=0))
    choices = _organisation_choices(session, user)
    if len(choices) == 1:
        defaults["organisation_id"] = str(choices[0][0])
    return _campaign_page(request, session, user, None, defaults, set(), FormErrors())


@router.get("/{campaign_id}")
def edit_campaign(
    request: Request, session: SessionDep, user: CurrentOrganiser, campaign: CampaignToEdit
) -> Response:
    values = campaigns.form_values(campaign)
    chosen = {official.id for official in campaigns.targets(session, campaign) if official.id}
    return _campaign_page(request, session, user, campaign, values, chosen, FormErrors())


def _save_campaign(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: dict[str, str],
    ids: list[str],
    campaign: LetterCampaign | None,
) -> Response:
    form, errors = forms.parse_campaign_form(raw, ids)
    organisation_id = None
    if campaign is None:
        choices = {oid for oid, _name in _organisation_choices(session, user)}
        organisation_id = check_organisation(raw, choices, errors)
    if form is not None and campaigns.slug_taken(
        session, str(form.values["slug"]), except_id=campaign.id if campaign else None
    ):
        errors.add("slug", _("Another campaign uses this address already."))
    if form is None or errors:
        chosen = {n for n in map(row_id, ids) if n is not None}
        return _campaign_page(request, session, user, campaign, raw, chosen, errors, status=400)
    saved = campaigns.save_campaign(
        session, form=form, campaign=campaign, organisation_id=organisation_id
    )
    audit.record(
        session,
        by=user,
        action="letters.campaign_saved",
        target=f"letter_campaign:{saved.id}",
        organisation_id=saved.organisation_id,
    )
    return redirect(
        f"/admin/letters/{saved.id}", flash=_("The campaign is saved."), request=request
    )


@router.post("/new")
def create_campaign(
    request: Request,
    session: SessionDep,
    user: Campaigner,
    raw: FormData,
    ids: Annotated[list[str], Depends(repeated("officials"))],
) -> Response:
    return _save_campaign(request, session, user, raw, ids, None)


@router.post("/{campaign_id}")
def update_campaign(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignToEdit,
    raw: FormData,
    ids: Annotated[list[str], Depends(repeated("officials"))],
) -> Response:
    return _save_campaign(request, session, user, raw, ids, campaign)


def _template_page(
    request: Request,
    campaign: LetterCampaign,
    form: dict[str, str],
    errors: FormErrors,
    preview: campaigns.Preview | None = None,
    status: int = 200,
    missing: list[str] | None = None,
) -> Response:
    context = {
        "campaign": campaign,
        "form": form,
        "errors": errors,
        "preview": preview,
        "missing": missing or [],
        "variables": VARIABLES,
    }
    return render(
        request, "admin/letters/template.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{campaign_id}/template")
def template_form(
    request: Request, session: SessionDep, campaign: CampaignToEdit, language: str = "en"
) -> Response:
    existing = {t.language: t for t in campaigns.templates_of(session, campaign)}.get(language)
    values = {
        "language": language,
        "subjects": existing.subjects if existing else "",
        "body": existing.body if existing else "",
    }
    return _template_page(request, campaign, values, FormErrors())


@router.post("/{campaign_id}/template")
def save_template(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignToEdit,
    raw: FormData,
) -> Response:
    """Preview with sample values (action=preview), or save; an error shows its line."""
    values, errors = forms.check_letter(raw, today=utcnow().date(), campaign=campaign)
    if errors:
        return _template_page(request, campaign, {**raw, **values}, errors, status=400)
    if raw.get("action") == "preview":
        own = campaigns.preview_values(session, campaign, values["language"])
        shown = campaigns.preview(values, today=utcnow().date(), own=own)
        # What the letters in this language would still lack, were the template saved.
        template = LetterTemplate(
            campaign_id=campaign.id or 0,
            language=values["language"],
            subjects=values["subjects"],
            body=values["body"],
        )
        found = gaps(session, campaign, campaigns.targets(session, campaign), [template])
        return _template_page(
            request, campaign, values, errors, shown, missing=found.get(values["language"], [])
        )
    campaigns.save_template(session, campaign=campaign, values=values)
    audit.record(
        session,
        by=user,
        action="letters.template_saved",
        target=f"letter_campaign:{campaign.id}",
        organisation_id=campaign.organisation_id,
        language=values["language"],
    )
    return redirect(
        f"/admin/letters/{campaign.id}", flash=_("The template is saved."), request=request
    )


@router.post("/{campaign_id}/status")
def change_campaign_status(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignToEdit,
    raw: FormData,
) -> Response:
    action = raw.get("action", "")
    refusal = campaigns.publish_refusal(session, campaign) if action == "publish" else None
    if refusal is not None:
        values = campaigns.form_values(campaign)
        chosen = {o.id for o in campaigns.targets(session, campaign) if o.id is not None}
        return _campaign_page(
            request, session, user, campaign, values, chosen, FormErrors(), 409, refusal
        )
    if not campaigns.change_status(session, campaign=campaign, action=action):
        detail = _("A campaign opens only with at least one official and one template.")
        raise HTTPException(status_code=409, detail=detail)
    audit.record(
        session,
        by=user,
        action=f"letters.campaign_{action}",
        target=f"letter_campaign:{campaign.id}",
        organisation_id=campaign.organisation_id,
    )
    return redirect(
        f"/admin/letters/{campaign.id}", flash=_("Your changes are saved."), request=request
    )
