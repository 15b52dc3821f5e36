"""A petition won, and the official responses it got: shown on its page in the visitor's
language, and mailed to the signers who asked for updates as updates of their own kind (a
draft with its versions per language, previewed and confirmed like any other)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from markupsafe import Markup
from sqlmodel import Session, col, select

from campaign.core.db import utcnow
from campaign.core.markdown import render_markdown
from campaign.core.pdfs import store_pdf, stored_pdf_path
from campaign.petitions.forms import UpdateForm
from campaign.petitions.models import Petition, PetitionStatus, PetitionUpdate, UpdateKind
from campaign.petitions.service import manage, updates


def mark_won(
    session: Session, *, petition: Petition, form: UpdateForm, user_id: int | None
) -> PetitionUpdate | None:
    """Mark the petition won, closing it if still open, with the announcement as a draft to
    mail; None when it was won already or never published."""
    if petition.won_at is not None or petition.status == PetitionStatus.draft:
        return None
    manage.change_status(session, petition=petition, action="close")
    petition.won_at = petition.updated_at = utcnow()
    session.add(petition)
    return updates.write_draft(
        session, petition=petition, form=form, user_id=user_id, kind=UpdateKind.won
    )


def add_response(
    session: Session,
    *,
    petition: Petition,
    form: UpdateForm,
    responded_on: date,
    document: bytes | None,
    directory: Path,
    user_id: int | None,
) -> PetitionUpdate:
    """Show an official response (its text, date and document) on the petition's page, as a
    draft to mail. A document that is not a PDF, or too large, raises PdfUploadError."""
    name = store_pdf(document, directory) if document else None
    petition.updated_at = utcnow()
    session.add(petition)
    return updates.write_draft(
        session,
        petition=petition,
        form=form,
        user_id=user_id,
        kind=UpdateKind.response,
        responded_on=responded_on,
        document=name,
    )


@dataclass(frozen=True)
class Shown:
    """A won announcement or an official response as the petition's page shows it."""

    id: int
    kind: str
    subject: str
    body_html: Markup
    lang: str | None  # the original's language, when the page is in another one
    on: date | None
    document: bool


def shown_on_page(
    session: Session, petition: Petition, locale: str, *, original: str
) -> list[Shown]:
    """The won announcement first, then official responses, newest first, in `locale` where a
    version was written, else in the `original` language."""
    rows = session.exec(
        select(PetitionUpdate)
        .where(
            col(PetitionUpdate.petition_id) == petition.id,
            col(PetitionUpdate.kind).in_([UpdateKind.won, UpdateKind.response]),
        )
        .order_by(col(PetitionUpdate.kind).desc(), col(PetitionUpdate.id).desc())
    ).all()
    shown = []
    for row in rows:
        versions = updates.translations(session, row)
        subject, body = updates.in_language(row, versions, locale)
        shown.append(
            Shown(
                id=row.id,  # type: ignore[arg-type]
                kind=row.kind,
                subject=subject,
                body_html=render_markdown(body),
                lang=None if locale in versions or locale == original else original,
                on=_won_on(petition) if row.kind == UpdateKind.won else row.responded_on,
                document=bool(row.document),
            )
        )
    return shown


def _won_on(petition: Petition) -> date | None:
    return petition.won_at.date() if petition.won_at else None


def document_path(
    session: Session, petition: Petition, update_id: int, directory: Path
) -> Path | None:
    """The file of an official response's document, or None."""
    response = updates.update_of(session, petition, update_id)
    if response is None or response.kind != UpdateKind.response or not response.document:
        return None
    return stored_pdf_path(directory, response.document)
