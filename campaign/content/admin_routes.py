"""The organiser's editor for content versions: one page per object, a form per language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from campaign.accounts.deps import CurrentOrganiser, asks, require_duty, require_duty_anywhere
from campaign.accounts.models import User
from campaign.accounts.service.roles import Duty
from campaign.content import registry, service
from campaign.core import audit
from campaign.core.db import SessionDep
from campaign.core.i18n import _, available_locales, language_name
from campaign.core.web import FormData, FormErrors, found, redirect, render

router = APIRouter(prefix="/admin/content")


@asks(Duty.campaign)
def object_to_translate(
    kind: str, object_id: int, session: SessionDep, user: CurrentOrganiser
) -> registry.Kind:
    """The kind of an object the organiser may translate: 404 when there is none, and when it
    belongs to an organisation they are not a member of; 403 unless they campaign in its
    organisation (or, for the shared registers, in any of theirs)."""
    definition = found(registry.KINDS.get(kind))
    obj = found(session.get(definition.model, object_id))
    organisation_id = definition.organisation_of(obj)
    if organisation_id is None:
        require_duty_anywhere(session, user, Duty.campaign)
    else:
        require_duty(session, user, organisation_id, Duty.campaign)
    return definition


ToTranslate = Annotated[registry.Kind, Depends(object_to_translate)]


def _locale(request: Request, locale: str) -> str:
    allowed = service.translatable_locales(
        available_locales(), request.app.state.settings.default_locale
    )
    return found(locale if locale in allowed else None)


def _editor(
    request: Request,
    session: SessionDep,
    user: User,
    kind: str,
    object_id: int,
    locale: str,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    definition = registry.KINDS[kind]
    obj = session.get(definition.model, object_id)
    settings = request.app.state.settings
    context = {
        "kind": definition,
        "obj": obj,
        "name": definition.describe(obj),
        "back": definition.admin_path.format(id=object_id),
        "locale_shown": locale,
        "language": language_name(locale),
        "original_language": language_name(settings.default_locale),
        "locales": service.translatable_locales(available_locales(), settings.default_locale),
        "existing": service.languages_of(session, kind, object_id),
        "form": form if form is not None else service.version_of(session, kind, object_id, locale),
        "errors": errors or FormErrors(),
    }
    return render(request, "admin/content.html", context, status_code=status_code)


@router.get("/{kind}/{object_id}")
def first_language(request: Request, kind: str, object_id: int, _checked: ToTranslate) -> Response:
    """The editor, opened on the first language other than the original's."""
    locales = service.translatable_locales(
        available_locales(), request.app.state.settings.default_locale
    )
    return redirect(f"/admin/content/{kind}/{object_id}/{locales[0]}")


@router.get("/{kind}/{object_id}/{locale}")
def edit_version(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    kind: str,
    object_id: int,
    locale: str,
    _checked: ToTranslate,
) -> Response:
    return _editor(request, session, user, kind, object_id, _locale(request, locale))


@router.post("/{kind}/{object_id}/{locale}")
def save_version(
    request: Request,
    session: SessionDep,
    user: CurrentOrganiser,
    kind: str,
    object_id: int,
    locale: str,
    definition: ToTranslate,
    raw: FormData,
) -> Response:
    locale = _locale(request, locale)
    fields, errors = service.parse_form(kind, raw)
    if errors:
        return _editor(
            request, session, user, kind, object_id, locale, raw, errors, status_code=400
        )
    obj = session.get(definition.model, object_id)
    kept = service.save_version(session, kind, obj, locale, fields)
    audit.record(
        session,
        by=user,
        action="content.translated" if kept else "content.translation_removed",
        target=f"{kind}:{object_id}",
        organisation_id=definition.organisation_of(obj),
        locale=locale,
    )
    message = (
        _("Version saved: %(language)s.", language=language_name(locale))
        if kept
        else _("Version removed: %(language)s.", language=language_name(locale))
    )
    return redirect(f"/admin/content/{kind}/{object_id}/{locale}", flash=message, request=request)
