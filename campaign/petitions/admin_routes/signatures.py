"""The organiser area for petitions, signatures: export them, hand them over (print view and
PDF), invalidate or accept them (updates to signers are in updates.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser, require_duty
from campaign.accounts.models import User
from campaign.accounts.service.organisations import organisation_names, role_in
from campaign.accounts.service.roles import Duty, duties_of
from campaign.core import audit
from campaign.core.countries import country_choices
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _, ngettext
from campaign.core.markdown import render_markdown
from campaign.core.web import NO_STORE, FormData, FormErrors, csv_attachment, redirect, render
from campaign.petitions import exports, pdf
from campaign.petitions.admin_routes.deps import (
    PartnershipData,
    PartnershipToView,
    PetitionData,
    PetitionToView,
    record,
)
from campaign.petitions.forms import SignatureFilter, parse_signature_filter
from campaign.petitions.models import Petition, SignatureStatus
from campaign.petitions.service import coalition, handover, manage

router = APIRouter(prefix="/admin/petitions")


# -- exports -----------------------------------------------------------------------------------


@router.get("/{petition_id}/export/signatures.csv")
def export_signatures(
    request: Request, session: SessionDep, user: CurrentOrganiser, petition: PetitionData
) -> Response:
    # On a coalition petition the host's export, like each partner's, follows its own box.
    coalition_petition = coalition.is_coalition(session, petition)
    only = exports.host_consenting() if coalition_petition else None
    # The session commits the audit entry when the route returns, before the first row is sent.
    record(
        session,
        user,
        "petition.exported",
        petition,
        export="signatures",
        signers="ticked our box" if coalition_petition else "all",
    )
    rows = exports.signatures_csv(request.app.state.engine, petition.id, only)  # type: ignore[arg-type]
    return csv_attachment(f"{petition.slug}-signatures.csv", rows)


# -- a partner's view of a coalition petition ---------------------------------------------------


@router.get("/{petition_id}/partners/{organisation_id}")
def partner_page(
    request: Request, session: SessionDep, user: CurrentOrganiser, partnership: PartnershipToView
) -> Response:
    """What a partner organisation's members see of a coalition petition: the total, how many
    signers agreed that the partner may contact them, and (for its data stewards) their export."""
    petition, organisation_id = partnership
    context = {
        "petition": petition,
        "partner": organisation_names(session, {organisation_id}).get(organisation_id, ""),
        "host": organisation_names(session, {petition.organisation_id}).get(
            petition.organisation_id, ""
        ),
        "organisation_id": organisation_id,
        "consenting": coalition.consent_counts(session, petition).get(organisation_id, 0),
        "can": duties_of(role_in(session, user, organisation_id)),
    }
    return render(request, "admin/petitions/partner.html", context, headers=NO_STORE)


@router.get("/{petition_id}/partners/{organisation_id}/signatures.csv")
def partner_export(
    request: Request, session: SessionDep, user: CurrentOrganiser, partnership: PartnershipData
) -> Response:
    """A partner's data steward's export: only the counted signers who ticked its box, and of
    the petition's own fields only those not personal (the box gives a partner the signer's
    name and address, nothing more)."""
    petition, organisation_id = partnership
    audit.record(
        session,
        by=user,
        action="petition.exported",
        target=f"petition:{petition.id}",
        title=petition.title,
        organisation_id=organisation_id,
        export="partner signatures",
    )
    rows = exports.signatures_csv(
        request.app.state.engine,
        petition.id,  # type: ignore[arg-type]
        exports.partner_consenting(organisation_id),
        personal=False,
    )
    return csv_attachment(f"{petition.slug}-partner-{organisation_id}-signatures.csv", rows)


@router.get("/{petition_id}/export/by-day.csv")
def export_by_day(
    session: SessionDep, user: CurrentOrganiser, petition: PetitionToView
) -> Response:
    record(session, user, "petition.exported", petition, export="by-day")
    return csv_attachment(f"{petition.slug}-by-day.csv", exports.by_day_csv(session, petition))


@router.get("/{petition_id}/export/by-country.csv")
def export_by_country(
    session: SessionDep, user: CurrentOrganiser, petition: PetitionToView
) -> Response:
    record(session, user, "petition.exported", petition, export="by-country")
    return csv_attachment(
        f"{petition.slug}-by-country.csv", exports.by_country_csv(session, petition)
    )


# -- invalidating ------------------------------------------------------------------------------


def _trail(criteria: SignatureFilter) -> dict[str, str]:
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
def invalidate_form(request: Request, petition: PetitionData) -> Response:
    return _invalidate_page(request, petition, {}, FormErrors())


@router.post("/{petition_id}/invalidate")
def invalidate(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionData,
    raw: FormData,
) -> Response:
    """Preview how many signatures match (action=preview), or invalidate them with a reason."""
    criteria, errors = parse_signature_filter(raw)
    if criteria.is_empty():
        errors.add("form", _("Choose at least one criterion."))
    if errors:
        return _invalidate_page(request, petition, raw, errors, status=400)
    matches = manage.count_matching(session, petition=petition, criteria=criteria)
    reason = " ".join(raw.get("reason", "").split())[:300]
    if raw.get("action") == "accept":
        accepted = manage.accept_signatures(
            session,
            settings=request.app.state.settings,
            petition=petition,
            criteria=criteria,
        )
        record(
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
    record(
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


# -- hand-over ---------------------------------------------------------------------------------


def handover_choice(
    include_names: bool = False, include_addressee_country: bool = False
) -> handover.Choice:
    """The organiser's choice for one hand-over, from the hand-over page's GET form."""
    return handover.Choice(include_names, include_addressee_country)


HandoverChoice = Annotated[handover.Choice, Depends(handover_choice)]


def _names_allowed(
    session: SessionDep, user: User, petition: Petition, choice: handover.Choice
) -> str:
    """How many names the hand-over shows; asking for names needs a data steward (or owner)."""
    if choice.include_names:
        require_duty(session, user, petition.organisation_id, Duty.steward)
    return choice.names_from(petition)


@router.get("/{petition_id}/handover")
def handover_page(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToView,
    choice: HandoverChoice,
) -> Response:
    """A print view for delivering the petition: counts, and names only of signers who agreed
    (those names only for a data steward or an owner)."""
    names = _names_allowed(session, user, petition, choice)
    record(session, user, "petition.exported", petition, export="handover", names=names)
    generated = utcnow()
    context = {
        "petition": petition,
        "can": duties_of(role_in(session, user, petition.organisation_id)),
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
    session: SessionDep, user: CurrentOrganiser, petition: PetitionToView, choice: HandoverChoice
) -> Response:
    names = _names_allowed(session, user, petition, choice)
    record(session, user, "petition.exported", petition, export="handover.pdf", names=names)
    body = pdf.handover_pdf(session, petition, choice=choice, generated=utcnow())
    headers = {
        "content-disposition": f'attachment; filename="{petition.slug}-handover.pdf"',
        **NO_STORE,
    }
    return Response(body, media_type="application/pdf", headers=headers)
