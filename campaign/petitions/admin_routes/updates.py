"""The organiser area for updates to signers: write a draft, add its versions per language,
preview it as signers will see it, send a test to oneself, see how many will receive it, then
send or schedule it (a won petition and official responses are in outcomes.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from campaign.accounts.deps import CurrentOrganiser
from campaign.content.service import translatable_locales
from campaign.core.db import SessionDep, utcnow
from campaign.core.i18n import _, available_locales, ngettext
from campaign.core.web import NO_STORE, FormData, FormErrors, found, redirect, render
from campaign.petitions.admin_routes.deps import PetitionToEdit, record
from campaign.petitions.forms import UpdateForm, parse_update_form
from campaign.petitions.models import Petition, PetitionUpdate, UpdateStatus
from campaign.petitions.service import updates

router = APIRouter(prefix="/admin/petitions")


def update_to_edit(
    petition: PetitionToEdit, session: SessionDep, update_id: int
) -> tuple[Petition, PetitionUpdate]:
    """The petition and one of its updates, for those who may campaign with it (else 404/403)."""
    return petition, found(updates.update_of(session, petition, update_id))


UpdateToEdit = Annotated[tuple[Petition, PetitionUpdate], Depends(update_to_edit)]


def update_path(update: PetitionUpdate, tail: str = "") -> str:
    """The organiser's page of an update (and its sub-pages)."""
    return f"/admin/petitions/{update.petition_id}/updates/{update.id}{tail}"


def _languages(request: Request) -> list[str]:
    return translatable_locales(available_locales(), request.app.state.settings.default_locale)


def _sent_already(request: Request, update: PetitionUpdate) -> Response | None:
    """Back to the update's page, unless it is a draft still."""
    if update.status == UpdateStatus.draft:
        return None
    flash = _("This update was sent or is scheduled.")
    return redirect(update_path(update), flash=flash, request=request)


def _reader_locale(request: Request, chosen: str | None) -> str:
    default = request.app.state.settings.default_locale
    return chosen if chosen in available_locales() else default


# -- writing -----------------------------------------------------------------------------------


def _list_page(
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
        "recipients": sum(updates.recipients_by_language(session, petition).values()),
        "all": updates.updates_of(session, petition),
    }
    return render(
        request, "admin/petitions/updates.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{petition_id}/updates")
def updates_page(request: Request, session: SessionDep, petition: PetitionToEdit) -> Response:
    return _list_page(request, session, petition, {}, FormErrors())


@router.post("/{petition_id}/updates")
def write_update(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    petition: PetitionToEdit,
    raw: FormData,
) -> Response:
    """Keep a new update as a draft: nothing is sent before its preview and confirmation."""
    form, errors = parse_update_form(raw)
    if form is None:
        return _list_page(request, session, petition, raw, errors, status=400)
    draft = updates.write_draft(session, petition=petition, form=form, user_id=user.id)
    return redirect(update_path(draft), flash=_("Draft saved. Check the preview."), request=request)


def _draft_page(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    found_update: tuple[Petition, PetitionUpdate],
    reader_locale: str | None,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status: int = 200,
) -> Response:
    petition, update = found_update
    settings = request.app.state.settings
    locale = _reader_locale(request, reader_locale)
    reader = updates.sample_reader(settings, locale, to=user.email)
    subject, text, _html = updates.preview(
        session, settings=settings, petition=petition, draft=update, reader=reader
    )
    context = {
        "petition": petition,
        "update": update,
        "form": form if form is not None else {"subject": update.subject, "body": update.body},
        "errors": errors or FormErrors(),
        "languages": _languages(request),
        "translated": set(updates.translations(session, update)),
        "preview_locale": locale,
        "preview_subject": subject,
        "preview_text": text,
        "locales": available_locales(),
    }
    return render(
        request, "admin/petitions/update.html", context, status_code=status, headers=NO_STORE
    )


@router.get("/{petition_id}/updates/{update_id}")
def draft_page(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    found_update: UpdateToEdit,
    reader_locale: Annotated[str | None, Query(alias="reader")] = None,
) -> Response:
    """The update's text, its languages, its preview (as signers see it), the test, and the
    way on to the confirmation."""
    return _draft_page(request, session, user, found_update, reader_locale)


@router.post("/{petition_id}/updates/{update_id}")
def edit_update(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    found_update: UpdateToEdit,
    raw: FormData,
) -> Response:
    _petition, update = found_update
    if (back := _sent_already(request, update)) is not None:
        return back
    form, errors = parse_update_form(raw)
    if form is None:
        return _draft_page(request, session, user, found_update, None, raw, errors, status=400)
    updates.edit_draft(session, update, form)
    return redirect(update_path(update), flash=_("Saved. Check the preview."), request=request)


def _version_page(
    request: Request,
    update: PetitionUpdate,
    locale: str,
    form: dict[str, str],
    errors: FormErrors,
    status: int = 200,
) -> Response:
    context = {"update": update, "locale_shown": locale, "form": form, "errors": errors}
    return render(
        request,
        "admin/petitions/update_version.html",
        context,
        status_code=status,
        headers=NO_STORE,
    )


@router.get("/{petition_id}/updates/{update_id}/versions/{locale}")
def version_form(
    request: Request, session: SessionDep, found_update: UpdateToEdit, locale: str
) -> Response:
    _petition, update = found_update
    locale = found(locale if locale in _languages(request) else None)
    return _version_page(
        request, update, locale, updates.translation(session, update, locale), FormErrors()
    )


@router.post("/{petition_id}/updates/{update_id}/versions/{locale}")
def save_version(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    found_update: UpdateToEdit,
    locale: str,
    raw: FormData,
) -> Response:
    """Store the version signers who signed in this language receive; empty fields remove it."""
    petition, update = found_update
    locale = found(locale if locale in _languages(request) else None)
    if update.status == UpdateStatus.sent and update.kind == "update":
        return redirect(
            update_path(update), flash=_("This update was sent already."), request=request
        )
    form: UpdateForm | None = None
    if raw.get("subject", "").strip() or raw.get("body", "").strip():
        form, errors = parse_update_form(raw)
        if form is None:
            return _version_page(request, update, locale, raw, errors, status=400)
    kept = updates.save_translation(session, update, locale, form)
    record(session, user, "petition.update_translated", petition, locale=locale, kept=kept)
    return redirect(f"{update_path(update)}?reader={locale}", flash=_("Saved."), request=request)


# -- preview, test, confirmation -----------------------------------------------------------------


@router.get("/{petition_id}/updates/{update_id}/preview.html")
def preview_html(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    found_update: UpdateToEdit,
    reader_locale: Annotated[str | None, Query(alias="reader")] = None,
) -> Response:
    """The mail's HTML as a signer's mail program shows it, for the preview's frame."""
    petition, update = found_update
    reader = updates.sample_reader(
        request.app.state.settings, _reader_locale(request, reader_locale), to=user.email
    )
    _subject, _text, html = updates.preview(
        session, settings=request.app.state.settings, petition=petition, draft=update, reader=reader
    )
    # Sandboxed: the organiser's text is sanitised already; nothing in it may run or submit here.
    policy = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    return HTMLResponse(
        html,
        headers={
            "content-security-policy": policy + "frame-ancestors 'self'",
            "x-frame-options": "SAMEORIGIN",
            **NO_STORE,
        },
    )


@router.post("/{petition_id}/updates/{update_id}/test")
def send_test(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    found_update: UpdateToEdit,
    raw: FormData,
) -> Response:
    """The update, in the language chosen, to the organiser's own address alone."""
    petition, update = found_update
    locale = _reader_locale(request, raw.get("reader"))
    reader = updates.Reader(to=user.email, name=user.name or user.email, locale=locale)
    updates.send_test(
        session, settings=request.app.state.settings, petition=petition, draft=update, reader=reader
    )
    message = _("A test is on its way to %(email)s; no signer receives it.", email=user.email)
    return redirect(f"{update_path(update)}?reader={locale}", flash=message, request=request)


def _confirm_page(
    request: Request,
    session: SessionDep,
    found_update: tuple[Petition, PetitionUpdate],
    errors: FormErrors | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    petition, update = found_update
    by_language = updates.recipients_by_language(session, petition)
    context = {
        "petition": petition,
        "update": update,
        "count": sum(by_language.values()),
        "by_language": sorted(by_language.items(), key=lambda item: -item[1]),
        "translated": set(updates.translations(session, update)),
        "errors": errors or FormErrors(),
        "form": form or {},
    }
    return render(
        request,
        "admin/petitions/update_confirm.html",
        context,
        status_code=status,
        headers=NO_STORE,
    )


@router.get("/{petition_id}/updates/{update_id}/confirm")
def confirm_page(request: Request, session: SessionDep, found_update: UpdateToEdit) -> Response:
    """How many will receive it, by language, before anything is queued."""
    return _confirm_page(request, session, found_update)


def _send_at(raw: dict[str, str], errors: FormErrors) -> datetime | None:
    """The time to send at (UTC) from the form, None for now."""
    text = raw.get("send_at", "").strip()
    if raw.get("when") != "later":
        return None
    try:
        when = datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        errors.add("send_at", _("Enter a date and time such as 2027-03-31 18:00."))
        return None
    if when <= utcnow():
        errors.add("send_at", _("Choose a time in the future."))
    return when


@router.post("/{petition_id}/updates/{update_id}/send")
def send_update(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    found_update: UpdateToEdit,
    raw: FormData,
) -> Response:
    """Send now or schedule, if the number confirmed is still the number of recipients."""
    petition, update = found_update
    if (back := _sent_already(request, update)) is not None:
        return back
    errors = FormErrors()
    count = sum(updates.recipients_by_language(session, petition).values())
    if raw.get("expected") != str(count):
        errors.add("form", _("The number of recipients has changed: check it again."))
    send_at = _send_at(raw, errors)
    if errors:
        return _confirm_page(request, session, found_update, errors, raw, status=409)
    if send_at is not None:
        updates.schedule(session, update, send_at)
        record(
            session,
            user,
            "petition.update_scheduled",
            petition,
            subject=update.subject,
            send_at=send_at.isoformat(),
        )
        message = _("Scheduled. You can cancel it until then.")
        return redirect(update_path(update), flash=message, request=request)
    sent = updates.send_update(
        session, settings=request.app.state.settings, petition=petition, draft=update
    )
    record(session, user, "petition.update_sent", petition, count=sent, subject=update.subject)
    message = ngettext(
        "The update goes to %(num)d signer.", "The update goes to %(num)d signers.", sent or 0
    )
    return redirect(update_path(update), flash=message, request=request)


@router.post("/{petition_id}/updates/{update_id}/cancel")
def cancel_update(
    request: Request, session: SessionDep, user: CurrentOrganiser, found_update: UpdateToEdit
) -> Response:
    """Stop a scheduled update before it goes; it is a draft again."""
    petition, update = found_update
    if updates.cancel_schedule(session, update):
        record(session, user, "petition.update_cancelled", petition, subject=update.subject)
        message = _("The scheduled update will not be sent; it is a draft again.")
    else:
        message = _("This update is not scheduled.")
    return redirect(update_path(update), flash=message, request=request)


@router.post("/{petition_id}/updates/{update_id}/discard")
def discard_update(
    request: Request, session: SessionDep, user: CurrentOrganiser, found_update: UpdateToEdit
) -> Response:
    """Delete a draft that was never sent."""
    petition, update = found_update
    if not updates.discard_draft(session, update):
        return redirect(
            update_path(update), flash=_("Only a draft update can be deleted."), request=request
        )
    record(session, user, "petition.update_discarded", petition, subject=update.subject)
    return redirect(
        f"/admin/petitions/{petition.id}/updates", flash=_("Draft deleted."), request=request
    )
