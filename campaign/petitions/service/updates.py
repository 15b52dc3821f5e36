"""Updates to signers who opted in: written as a draft with a version per language, previewed,
tried on oneself, and sent (now or when due) only after the organiser saw how many will receive
it; and the one-click unsubscribe that needs no login."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, update
from sqlmodel import Session, col, func, select

from campaign.content.service import (
    delete_versions,
    save_version,
    text_in,
    version_of,
    versions_of,
)
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.core.security import read_token, signer
from campaign.core.settings import Settings
from campaign.petitions import emails
from campaign.petitions.forms import UpdateForm
from campaign.petitions.models import (
    Petition,
    PetitionUpdate,
    Signature,
    SignatureStatus,
    UpdateKind,
    UpdateStatus,
)
from campaign.petitions.service import webhooks

UNSUBSCRIBE_MAX_AGE = 2 * 365 * 86400
KIND = "petition_update"  # the content kind of an update's versions per language


def unsubscribe_token(settings: Settings, signature_id: int) -> str:
    """The signed token of a signer's unsubscribe link."""
    return str(signer(settings, "unsubscribe").dumps(signature_id))


def _is_recipient(petition: Petition) -> list[ColumnElement[bool]]:
    """Counted signers of the petition who asked for updates and have not unsubscribed."""
    return [
        col(Signature.petition_id) == petition.id,
        col(Signature.status) == SignatureStatus.confirmed,
        col(Signature.suspect).is_(False),
        col(Signature.wants_updates).is_(True),
        col(Signature.unsubscribed_at).is_(None),
    ]


def update_recipients(session: Session, petition: Petition) -> list[Signature]:
    """Counted signers of the petition who asked for updates and have not unsubscribed."""
    return list(session.exec(select(Signature).where(*_is_recipient(petition))).all())


def recipients_by_language(session: Session, petition: Petition) -> dict[str, int]:
    """How many will receive an update, by the language they signed in (the confirmation)."""
    query = (
        select(Signature.locale, func.count())
        .where(*_is_recipient(petition))
        .group_by(col(Signature.locale))
    )
    return {locale: int(n) for locale, n in session.exec(query).all()}


# -- drafts and their languages ----------------------------------------------------------------


def write_draft(
    session: Session,
    *,
    petition: Petition,
    form: UpdateForm,
    user_id: int | None,
    kind: UpdateKind = UpdateKind.update,
    responded_on: date | None = None,
    document: str | None = None,
) -> PetitionUpdate:
    """A new draft: nothing goes out until it is confirmed."""
    assert petition.id is not None
    draft = PetitionUpdate(
        petition_id=petition.id,
        kind=kind.value,
        subject=form.subject,
        body=form.body,
        sent_by=user_id,
        responded_on=responded_on,
        document=document,
    )
    session.add(draft)
    session.flush()
    return draft


def update_of(session: Session, petition: Petition, update_id: int) -> PetitionUpdate | None:
    """One of the petition's updates, or None."""
    found = session.get(PetitionUpdate, update_id)
    return found if found is not None and found.petition_id == petition.id else None


def edit_draft(session: Session, draft: PetitionUpdate, form: UpdateForm) -> None:
    """Change the original text of an update not sent yet."""
    draft.subject, draft.body, draft.updated_at = form.subject, form.body, utcnow()
    session.add(draft)
    session.flush()


def save_translation(
    session: Session, draft: PetitionUpdate, locale: str, form: UpdateForm | None
) -> bool:
    """Store the version signers who signed in `locale` receive (None removes it); True when
    one is kept. A won announcement or a response shows on the petition's page: its version
    moves the petition's version tag too."""
    fields = {"subject": form.subject, "body": form.body} if form else {}
    kept = save_version(session, KIND, draft, locale, fields)
    if draft.kind != UpdateKind.update:
        petition = session.get(Petition, draft.petition_id)
        assert petition is not None
        petition.updated_at = utcnow()
        session.add(petition)
    return kept


def translation(session: Session, draft: PetitionUpdate, locale: str) -> dict[str, str]:
    """The stored version of an update in one language (empty when there is none)."""
    return version_of(session, KIND, draft.id, locale)  # type: ignore[arg-type]


def translations(session: Session, draft: PetitionUpdate) -> dict[str, dict[str, str]]:
    """Every version of an update, by language."""
    return versions_of(session, KIND, draft.id)  # type: ignore[arg-type]


def in_language(
    draft: PetitionUpdate, versions: dict[str, dict[str, str]], locale: str
) -> tuple[str, str]:
    """Subject and text a signer who signed in `locale` receives: their version, else the
    original."""
    version = versions.get(locale) or {}
    return version.get("subject") or draft.subject, version.get("body") or draft.body


def discard_draft(session: Session, draft: PetitionUpdate) -> bool:
    """Delete an update that was neither sent nor scheduled, with its versions."""
    if draft.status != UpdateStatus.draft or draft.kind != UpdateKind.update:
        return False
    delete_versions(session, KIND, draft.id)  # type: ignore[arg-type]
    session.delete(draft)
    session.flush()
    return True


# -- the mail ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Who a rendering of an update is for: a signer, or the organiser trying it."""

    to: str
    name: str
    locale: str
    unsubscribe_url: str = ""  # none for a test: no one may be unsubscribed by it


def sample_reader(settings: Settings, locale: str, *, to: str) -> Reader:
    """A signer as the preview shows one: a stand-in name and unsubscribe link (each signer's
    own link works; this one does not), so the preview is not the test mail."""
    return Reader(
        to=to,
        name=_("Signer's name"),
        locale=locale,
        unsubscribe_url=f"{settings.base_url}/unsubscribe?token=example&lang={locale}",
    )


def _message(
    session: Session,
    settings: Settings,
    petition: Petition,
    draft: PetitionUpdate,
    versions: dict[str, dict[str, str]],
    reader: Reader,
) -> emails.UpdateMessage:
    subject, body = in_language(draft, versions, reader.locale)
    document = (
        f"{settings.base_url}/petitions/{petition.slug}/updates/{draft.id}/document"
        if draft.document
        else ""
    )
    return emails.UpdateMessage(
        name=reader.name,
        title=text_in(session, "petition", petition, "title", reader.locale),
        subject=subject,
        text=body,
        unsubscribe_url=reader.unsubscribe_url,
        petition_url=f"{settings.base_url}/petitions/{petition.slug}?lang={reader.locale}",
        document_url=document,
    )


def preview(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    draft: PetitionUpdate,
    reader: Reader,
) -> tuple[str, str, str]:
    """Subject, plain text and HTML exactly as the mail renders them for this reader."""
    context = _message(session, settings, petition, draft, translations(session, draft), reader)
    return emails.render_petition_update(settings, reader.locale, context)


def send_test(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    draft: PetitionUpdate,
    reader: Reader,
) -> int:
    """Queue the update to the organiser alone, in the language chosen, marked as a test."""
    context = _message(session, settings, petition, draft, translations(session, draft), reader)
    context["subject"] = f"[TEST] {context['subject']}"
    return emails.petition_update(
        session, message=context, to=reader.to, locale=reader.locale, base_url=settings.base_url
    )


def _claim(session: Session, draft: PetitionUpdate, *, from_status: UpdateStatus) -> bool:
    """Mark the update sent if it still is in `from_status`: one statement, so that two
    clicks, or two workers, send it once."""
    claimed = session.execute(
        update(PetitionUpdate)
        .where(col(PetitionUpdate.id) == draft.id, col(PetitionUpdate.status) == from_status)
        .values(status=UpdateStatus.sent, sent_at=utcnow(), send_at=None)
        .returning(col(PetitionUpdate.id))
    ).first()
    return claimed is not None


def send_update(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    draft: PetitionUpdate,
    from_status: UpdateStatus = UpdateStatus.draft,
) -> int | None:
    """Queue the update for every recipient in their own language, with unsubscribe headers;
    the number queued, or None when it was sent already."""
    if not _claim(session, draft, from_status=from_status):
        return None
    session.refresh(draft)
    versions = translations(session, draft)
    recipients = update_recipients(session, petition)
    for signature in recipients:
        token = unsubscribe_token(settings, signature.id)  # type: ignore[arg-type]
        reader = Reader(
            to=signature.email,
            name=signature.name,
            locale=signature.locale,
            unsubscribe_url=f"{settings.base_url}/unsubscribe?token={token}&lang={signature.locale}",
        )
        context = _message(session, settings, petition, draft, versions, reader)
        emails.petition_update(
            session, message=context, to=reader.to, locale=reader.locale, base_url=settings.base_url
        )
    draft.recipients = len(recipients)
    session.add(draft)
    session.flush()
    return len(recipients)


def schedule(session: Session, draft: PetitionUpdate, send_at: datetime) -> bool:
    """Send the draft when `send_at` comes (the worker's periodic job); False if not a draft."""
    scheduled = session.execute(
        update(PetitionUpdate)
        .where(col(PetitionUpdate.id) == draft.id, col(PetitionUpdate.status) == UpdateStatus.draft)
        .values(status=UpdateStatus.scheduled, send_at=send_at)
        .returning(col(PetitionUpdate.id))
    ).first()
    session.refresh(draft)
    return scheduled is not None


def cancel_schedule(session: Session, draft: PetitionUpdate) -> bool:
    """Make a scheduled update a draft again, unless the worker has taken it already."""
    cancelled = session.execute(
        update(PetitionUpdate)
        .where(
            col(PetitionUpdate.id) == draft.id,
            col(PetitionUpdate.status) == UpdateStatus.scheduled,
        )
        .values(status=UpdateStatus.draft, send_at=None)
        .returning(col(PetitionUpdate.id))
    ).first()
    session.refresh(draft)
    return cancelled is not None


def send_due(session: Session, settings: Settings) -> list[PetitionUpdate]:
    """Send every scheduled update whose time has come; the updates sent."""
    due = session.exec(
        select(PetitionUpdate).where(
            col(PetitionUpdate.status) == UpdateStatus.scheduled,
            col(PetitionUpdate.send_at) <= utcnow(),
        )
    ).all()
    sent = []
    for draft in due:
        petition = session.get(Petition, draft.petition_id)
        assert petition is not None
        if (
            send_update(
                session,
                settings=settings,
                petition=petition,
                draft=draft,
                from_status=UpdateStatus.scheduled,
            )
            is not None
        ):
            sent.append(draft)
    return sent


def updates_of(session: Session, petition: Petition) -> list[PetitionUpdate]:
    """The petition's updates, drafts and sent, newest first."""
    query = (
        select(PetitionUpdate)
        .where(PetitionUpdate.petition_id == petition.id)
        .order_by(col(PetitionUpdate.id).desc())
    )
    return list(session.exec(query).all())


def unsubscribe(session: Session, *, settings: Settings, token: str) -> bool:
    """Stop updates for the signature behind a link; False when the link is not genuine."""
    signature_id = read_token(settings, "unsubscribe", token, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(signature_id, int):
        return False
    signature = session.get(Signature, signature_id)
    if signature is None:
        return False
    if signature.unsubscribed_at is None:
        signature.unsubscribed_at = utcnow()
        session.add(signature)
        webhooks.unsubscribed(session, settings=settings, signature=signature)
    return True
