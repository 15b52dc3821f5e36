"""Updates to signers who opted in, with a one-click unsubscribe that needs no login."""

from __future__ import annotations

from sqlmodel import Session, col, select

from campaign.content.service import text_in
from campaign.core.db import utcnow
from campaign.core.security import read_token, signer
from campaign.core.settings import Settings
from campaign.petitions import emails
from campaign.petitions.models import Petition, PetitionUpdate, Signature, SignatureStatus

UNSUBSCRIBE_MAX_AGE = 2 * 365 * 86400


def unsubscribe_token(settings: Settings, signature_id: int) -> str:
    """The signed token of a signer's unsubscribe link."""
    return str(signer(settings, "unsubscribe").dumps(signature_id))


def update_recipients(session: Session, petition: Petition) -> list[Signature]:
    """Counted signers of the petition who asked for updates and have not unsubscribed."""
    query = select(Signature).where(
        col(Signature.petition_id) == petition.id,
        col(Signature.status) == SignatureStatus.confirmed,
        col(Signature.suspect).is_(False),
        col(Signature.wants_updates).is_(True),
        col(Signature.unsubscribed_at).is_(None),
    )
    return list(session.exec(query).all())


def send_update(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    subject: str,
    body: str,
    user_id: int,
) -> PetitionUpdate:
    """Queue the update for every recipient in their own language, with unsubscribe headers."""
    recipients = update_recipients(session, petition)
    titles: dict[str, str] = {}
    for signature in recipients:
        if signature.locale not in titles:
            titles[signature.locale] = text_in(
                session, "petition", petition, "title", signature.locale
            )
        token = unsubscribe_token(settings, signature.id)  # type: ignore[arg-type]
        url = f"{settings.base_url}/unsubscribe?token={token}&lang={signature.locale}"
        emails.petition_update(
            session,
            to=signature.email,
            locale=signature.locale,
            name=signature.name,
            title=titles[signature.locale],
            subject=subject,
            text=body,
            unsubscribe_url=url,
            petition_url=f"{settings.base_url}/petitions/{petition.slug}?lang={signature.locale}",
            base_url=settings.base_url,
        )
    assert petition.id is not None
    update = PetitionUpdate(
        petition_id=petition.id,
        subject=subject,
        body=body,
        recipients=len(recipients),
        sent_by=user_id,
    )
    session.add(update)
    session.flush()
    return update


def past_updates(session: Session, petition: Petition) -> list[PetitionUpdate]:
    """Updates already sent for the petition, newest first."""
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
    return True
