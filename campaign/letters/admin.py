"""The organiser area for the register of officials: list, edit, import and export CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser
from campaign.core import audit
from campaign.core.countries import country_choices
from campaign.core.csvimport import rows_from_upload
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _, ngettext
from campaign.core.web import FormData, FormErrors, found, redirect, render, repeated, uploaded
from campaign.letters import campaigns, officials
from campaign.letters.models import LetterCampaign, Official
from campaign.letters.templates import VARIABLES
from campaign.petitions.service import petition_choices

router = APIRouter(prefix="/admin/officials")

NO_STORE = {"cache-control": "no-store"}
MAX_UPLOAD = 2 * 1024 * 1024


def official_for_editor(official_id: int, session: SessionDep, user: CurrentOrganiser) -> Official:
    """The official an organiser asked for; 404 when there is none."""
    return found(session.get(Official, official_id))


OfficialForEditor = Annotated[Official, Depends(official_for_editor)]


@router.get("")
def register(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    context = {"officials": officials.list_officials(session)}
    return render(request, "admin/officials/list.html", context, headers=NO_STORE)


def _form_page(
    request: Request,
    official: Official | None,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {"official": official, "form": form, "errors": errors, "countries": country_choices()}
    return render(
        request, "admin/officials/form.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/new")
def new_official(request: Request, user: CurrentOrganiser) -> Response:
    return _form_page(request, None, {}, FormErrors())


@router.get("/{official_id}/edit")
def edit_official(request: Request, session: SessionDep, official: OfficialForEditor) -> Response:
    emails = officials.official_emails(session, official)
    values = {
        "name": official.name,
        "title": official.title,
        "institution": official.institution,
        "country": official.country,
        "language": official.language,
        "postal_address": official.postal_address,
        "notes": official.notes,
        "emails": "\n".join(
            e.address if e.status == "active" else f"{e.address} {e.status}" for e in emails
        ),
    }
    return _form_page(request, official, values, FormErrors())


def _save(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: dict[str, str],
    official: Official | None,
) -> Response:
    form, errors = officials.parse_official(raw)
    if form is None:
        return _form_page(request, official, raw, errors, status=400)
    saved = officials.save_official(session, form=form, official=official)
    audit.record(
        session,
        by=user,
        action="official.saved",
        target=f"official:{saved.id}",
    )
    return redirect("/admin/officials", flash=_("The official is saved."), request=request)


@router.post("/new")
def create_official(
    request: Request, session: SessionDep, user: CurrentOrganiser, raw: FormData
) -> Response:
    return _save(request, session, user, raw, None)


@router.post("/{official_id}/edit")
def update_official(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    official: OfficialForEditor,
    raw: FormData,
) -> Response:
    return _save(request, session, user, raw, official)


@router.get("/export.csv")
def export(session: SessionDep, user: CurrentOrganiser) -> Response:
    audit.record(session, by=user, action="officials.exported")
    headers = {"content-disposition": 'attachment; filename="officials.csv"', **NO_STORE}
    return Response(
        officials.export_csv(session), media_type="text/csv; charset=utf-8", headers=headers
    )


@router.get("/import")
def import_form(request: Request, user: CurrentOrganiser) -> Response:
    return render(request, "admin/officials/import.html", {"report": None}, headers=NO_STORE)


@router.post("/import")
def import_upload(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: FormData,
    data: Annotated[bytes | None, Depends(uploaded("file", MAX_UPLOAD))],
) -> Response:
    """Check the file and show what would change (dry run), or import it whole."""
    rows, errors = rows_from_upload(data, limit=MAX_UPLOAD, reader=officials.read_csv)
    if errors:
        return render(
            request,
            "admin/officials/import.html",
            {"report": None, "errors": errors},
            status_code=400,
            headers=NO_STORE,
        )
    apply = raw.get("action") == "import"
    report = officials.import_officials(session, rows, apply=apply)
    if apply and report.ok:
        audit.record(
            session,
            by=user,
            action="officials.imported",
            created=report.created,
            updated=report.updated,
        )
        message = ngettext(
            "%(num)d official imported.",
            "%(num)d officials imported.",
            report.created + report.updated,
        )
        return redirect("/admin/officials", flash=message, request=request)
    status = 200 if report.ok else 400
    return render(
        request,
        "admin/officials/import.html",
        {"report": report, "dry_run": not apply},
        status_code=status,
        headers=NO_STORE,
    )


# -- letter campaigns --------------------------------------------------------------------------

campaigns_router = APIRouter(prefix="/admin/letters")


def campaign_for_editor(
    campaign_id: int, session: SessionDep, user: CurrentOrganiser
) -> LetterCampaign:
    """The campaign an organiser asked for; 404 when there is none."""
    return found(session.get(LetterCampaign, campaign_id))


CampaignForEditor = Annotated[LetterCampaign, Depends(campaign_for_editor)]


@campaigns_router.get("")
def letter_campaigns(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    context = {"campaigns": campaigns.all_campaigns(session)}
    return render(request, "admin/letters/list.html", context, headers=NO_STORE)


def _campaign_page(
    request: Request,
    session: SessionDep,
    campaign: LetterCampaign | None,
    form: dict[str, str],
    chosen: set[int],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {
        "campaign": campaign,
        "form": form,
        "errors": errors,
        "chosen": chosen,
        "officials": officials.list_officials(session),
        "templates": campaigns.templates_of(session, campaign) if campaign else [],
        "petitions": petition_choices(session),
    }
    return render(
        request, "admin/letters/campaign.html", context, status_code=status, headers=NO_STORE
    )


@campaigns_router.get("/new")
def new_campaign(request: Request, session: SessionDep, user: CurrentOrganiser) -> Response:
    defaults = campaigns.form_values(LetterCampaign(slug="", title=""))
    return _campaign_page(request, session, None, defaults, set(), FormErrors())


@campaigns_router.get("/{campaign_id}")
def edit_campaign(request: Request, session: SessionDep, campaign: CampaignForEditor) -> Response:
    values = campaigns.form_values(campaign)
    chosen = {official.id for official in campaigns.targets(session, campaign) if official.id}
    return _campaign_page(request, session, campaign, values, chosen, FormErrors())


def _save_campaign(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: dict[str, str],
    ids: list[str],
    campaign: LetterCampaign | None,
) -> Response:
    form, errors = campaigns.parse_campaign_form(raw, ids)
    if form is not None and campaigns.slug_taken(
        session, str(form.values["slug"]), except_id=campaign.id if campaign else None
    ):
        errors.add("slug", _("Another campaign uses this address already."))
    if form is None or errors:
        chosen = {int(i) for i in ids if i.isdigit()}
        return _campaign_page(request, session, campaign, raw, chosen, errors, status=400)
    saved = campaigns.save_campaign(session, form=form, campaign=campaign)
    audit.record(
        session,
        by=user,
        action="letters.campaign_saved",
        target=f"letter_campaign:{saved.id}",
    )
    return redirect(
        f"/admin/letters/{saved.id}", flash=_("The campaign is saved."), request=request
    )


@campaigns_router.post("/new")
def create_campaign(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    raw: FormData,
    ids: Annotated[list[str], Depends(repeated("officials"))],
) -> Response:
    return _save_campaign(request, session, user, raw, ids, None)


@campaigns_router.post("/{campaign_id}")
def update_campaign(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignForEditor,
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
) -> Response:
    context = {
        "campaign": campaign,
        "form": form,
        "errors": errors,
        "preview": preview,
        "variables": VARIABLES,
    }
    return render(
        request, "admin/letters/template.html", context, status_code=status, headers=NO_STORE
    )


@campaigns_router.get("/{campaign_id}/template")
def template_form(
    request: Request, session: SessionDep, campaign: CampaignForEditor, language: str = "en"
) -> Response:
    existing = {t.language: t for t in campaigns.templates_of(session, campaign)}.get(language)
    values = {
        "language": language,
        "subjects": existing.subjects if existing else "",
        "body": existing.body if existing else "",
    }
    return _template_page(request, campaign, values, FormErrors())


@campaigns_router.post("/{campaign_id}/template")
def save_template(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignForEditor,
    raw: FormData,
) -> Response:
    """Preview with sample values (action=preview), or save; an error shows its line."""
    values, errors = campaigns.check_letter(raw, today=utcnow().date(), campaign=campaign)
    if errors:
        return _template_page(request, campaign, {**raw, **values}, errors, status=400)
    if raw.get("action") == "preview":
        return _template_page(
            request, campaign, values, errors, campaigns.preview(values, today=utcnow().date())
        )
    campaigns.save_template(session, campaign=campaign, values=values)
    audit.record(
        session,
        by=user,
        action="letters.template_saved",
        target=f"letter_campaign:{campaign.id}",
        language=values["language"],
    )
    return redirect(
        f"/admin/letters/{campaign.id}", flash=_("The template is saved."), request=request
    )


@campaigns_router.post("/{campaign_id}/status")
def change_campaign_status(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    campaign: CampaignForEditor,
    raw: FormData,
) -> Response:
    action = raw.get("action", "")
    if not campaigns.change_status(session, campaign=campaign, action=action):
        detail = _("A campaign opens only with at least one official and one template.")
        raise HTTPException(status_code=409, detail=detail)
    audit.record(
        session,
        by=user,
        action=f"letters.campaign_{action}",
        target=f"letter_campaign:{campaign.id}",
    )
    return redirect(
        f"/admin/letters/{campaign.id}", flash=_("Your changes are saved."), request=request
    )
