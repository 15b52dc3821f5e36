"""Signing: the sign form's stamp, a signature held until its address confirms it (double
opt-in), confirming or discarding it from the mailed link, and purging links left unused."""

from __future__ import annotations

import secrets
import time
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import Boolean, and_, bindparam, delete, update
from sqlmodel import Session, col, select

from campaign.content.service import text_in
from campaign.core.db import insert_new, utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.security import email_index, read_token, row_for_token, row_token, signer
from campaign.core.settings import Settings
from campaign.mail import outbox
from campaign.mail.models import MailPriority
from campaign.petitions import emails
from campaign.petitions.forms import SignForm
from campaign.petitions.models import Petition, Signature, SignatureStatus
from campaign.petitions.service.counting import count_signature

MAX_MAILS_PER_SIGNATURE = 3
_SIGNATURE = Signature.__table__  # type: ignore[attr-defined]


class SignOutcome(StrEnum):
    """What happened to a signature; never shown to the supporter, who sees one page for all."""

    new = "new"
    resent = "resent"
    already_confirmed = "already_confirmed"
    mail_cap = "mail_cap"
    client_mail_cap = "client_mail_cap"  # a repeat from a client past its hourly cap: no mail
    dropped = "dropped"


class ConfirmOutcome(StrEnum):
    confirmed = "confirmed"
    already = "already"
    invalid = "invalid"


# -- the sign form's stamp ---------------------------------------------------------------------


FORM_MAX_AGE = 24 * 3600


def form_started_token(settings: Settings, petition_id: int) -> str:
    """A signed timestamp for a petition's sign form, to tell a person from a fast bot."""
    return str(signer(settings, "sign-form").dumps([petition_id, time.time()]))


def form_age(settings: Settings, token: str, petition_id: int) -> float | None:
    """Seconds since the sign form was served; None when the stamp is forged, stale or foreign."""
    payload = read_token(settings, "sign-form", token, max_age=FORM_MAX_AGE)
    if not isinstance(payload, list) or len(payload) != 2 or payload[0] != petition_id:
        return None
    return time.time() - float(payload[1])


def filled_too_fast(settings: Settings, age: float | None) -> bool:
    """Whether the form came back sooner than a person could fill it (or without a valid stamp)."""
    return age is None or age < settings.sign_min_fill_seconds


# -- signing -----------------------------------------------------------------------------------


def sign_petition(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    petition: Petition,
    form: SignForm,
    ip_hash: str,
    locale: str,
    honeypot: bool = False,
    too_fast: bool = False,
) -> SignOutcome:
    """Record a signature and mail its confirmation link; a repeat mails "you already signed".

    The caller shows the same page whatever the outcome, so no one learns who has signed.
    A filled honeypot is a bot: dropped, no row, no mail. A form sent back too fast (autofill
    can be that quick) or over the client's limits is kept but suspect: it counts only if an
    organiser accepts it, and its mail waits behind everyone else's, up to an hourly cap per
    client past which nothing is mailed (outbox.priority_for). So does the mail of a client
    past its mail limit across all petitions, though its signatures still count.
    """
    if honeypot:
        return SignOutcome.dropped
    reasons = ["form sent too fast"] if too_fast else []
    # Whether it counts is decided per petition; whose mail goes first, per client across all
    # petitions, or a client could have each open petition mail its own share at full priority.
    # Both in one statement.
    within_limits, mail_within_limits = limiter.hit_groups(
        (
            [settings.sign_limit_burst, settings.sign_limit_sustained],
            ("sign", str(petition.id), ip_hash),
        ),
        ([settings.sign_mail_limit_per_client], ("sign-mail", ip_hash)),
    )
    if not within_limits:
        reasons.append("rate limit")
    # Counted with the limits, before this transaction writes: on SQLite a limiter on its own
    # connection would wait for the write lock this transaction holds.
    priority = outbox.priority_for(
        limiter,
        within_limits=within_limits and mail_within_limits,
        client=ip_hash,
        cap=settings.over_limit_mail_per_client,
    )
    index = email_index(settings, form.email)
    nonce = secrets.token_urlsafe(12)
    # One INSERT that does nothing when the address has signed (or is signing at this moment
    # through another request, which it then waits for): no look-up first, no savepoint, no
    # ORM object. Every column is given, so the row does not depend on the columns' defaults.
    signature_id = insert_new(
        session,
        _SIGNATURE,
        {
            "petition_id": petition.id,
            "name": form.name,
            "email": form.email,
            "email_hash": index,
            "country": form.country,
            "city": form.city,
            "consent": True,
            "wants_updates": form.wants_updates,
            "show_publicly": form.show_publicly,
            "named_in_handover": form.named_in_handover,
            "locale": locale,
            "status": SignatureStatus.pending.value,
            "suspect": bool(reasons),
            "suspect_reason": ", ".join(reasons),
            "ip_hash": ip_hash,
            "token_nonce": nonce,
            "mails_sent": 1,
            "created_at": utcnow(),
            "invalidation_reason": "",
        },
    )
    if signature_id is None:
        existing = session.exec(
            select(Signature).where(
                Signature.petition_id == petition.id, Signature.email_hash == index
            )
        ).one()
        return _repeat_signature(
            session, settings=settings, petition=petition, signature=existing, priority=priority
        )
    _mail_confirmation(
        session,
        settings=settings,
        petition=petition,
        token=row_token(settings, "signature", signature_id, nonce),
        to=form.email,
        name=form.name,
        locale=locale,
        priority=priority,
    )
    return SignOutcome.new


def _repeat_signature(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    signature: Signature,
    priority: MailPriority | None,
) -> SignOutcome:
    if signature.mails_sent >= MAX_MAILS_PER_SIGNATURE:
        return SignOutcome.mail_cap
    if priority is None:
        return SignOutcome.client_mail_cap
    signature.mails_sent += 1
    session.add(signature)
    if signature.status == SignatureStatus.pending:
        _mail_confirmation(
            session,
            settings=settings,
            petition=petition,
            token=confirmation_token(settings, signature),
            to=signature.email,
            name=signature.name,
            locale=signature.locale,
            priority=priority,
        )
        return SignOutcome.resent
    emails.already_signed(
        session,
        to=signature.email,
        locale=signature.locale,
        name=signature.name,
        title=text_in(session, "petition", petition, "title", signature.locale),
        url=f"{_petition_url(settings, petition)}?lang={signature.locale}",
        base_url=settings.base_url,
        priority=priority,
    )
    return SignOutcome.already_confirmed


def confirmation_token(settings: Settings, signature: Signature) -> str:
    """The signed token of a signature's confirmation link."""
    return row_token(settings, "signature", signature.id, signature.token_nonce or "")


def _mail_confirmation(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    token: str,
    to: str,
    name: str,
    locale: str,
    priority: MailPriority | None,
) -> None:
    if priority is None:
        return  # the client is past its hourly cap of mail over its limits
    emails.confirm_signature(
        session,
        to=to,
        locale=locale,
        name=name,
        title=text_in(session, "petition", petition, "title", locale),
        url=f"{_petition_url(settings, petition)}/confirm?token={token}&lang={locale}",
        days=settings.signature_confirm_days,
        base_url=settings.base_url,
        priority=priority,
    )


def _petition_url(settings: Settings, petition: Petition) -> str:
    return f"{settings.base_url}/petitions/{petition.slug}"


# -- confirming, discarding, purging -----------------------------------------------------------


def signature_for_token(
    session: Session, *, settings: Settings, petition: Petition, token: str
) -> Signature | None:
    """The signature a confirmation link points to, if the link is genuine and not expired."""
    signature = row_for_token(
        session,
        Signature,
        settings=settings,
        purpose="signature",
        token=token,
        max_age=settings.signature_confirm_days * 86400,
        nonce=lambda row: row.token_nonce,
    )
    return signature if signature is not None and signature.petition_id == petition.id else None


# Built once, run by every confirmation. On the table, not the model: an ORM update also looks
# for the rows' objects in the session to change them in memory, a tenth of a confirmation's
# CPU, and nothing reads those objects after it.
_CONFIRM = (
    update(_SIGNATURE)
    .where(
        _SIGNATURE.c.id == bindparam("signature_id"),
        _SIGNATURE.c.status == SignatureStatus.pending.value,
    )
    .values(
        status=SignatureStatus.confirmed.value,
        confirmed_at=bindparam("now"),
        # Until now the flag was only the sign form's request; from now on it is consent.
        named_in_handover=and_(_SIGNATURE.c.named_in_handover, bindparam("named", type_=Boolean)),
    )
)


def confirm_signature(
    session: Session, *, settings: Settings, petition: Petition, token: str, named: bool = False
) -> ConfirmOutcome:
    """Use a confirmation link: the signature counts (unless suspect), once, even if sent twice.

    `named` is the confirmation page's box: the signer is named in hand-overs only if the sign
    form asked for it and whoever holds the mailbox ticks it again here. The sign form alone
    cannot name anyone: whoever signs first with an address sets the row's request, and that
    may be a stranger whose row the address's owner then confirms.
    """
    signature = signature_for_token(session, settings=settings, petition=petition, token=token)
    if signature is None:
        return ConfirmOutcome.invalid
    if signature.status != SignatureStatus.pending:
        return ConfirmOutcome.already
    changed = session.execute(
        _CONFIRM, {"signature_id": signature.id, "now": utcnow(), "named": named}
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        return ConfirmOutcome.already  # a second click won the race
    if not signature.suspect:
        count_signature(session, petition_id=petition.id, country=signature.country, delta=1)  # type: ignore[arg-type]
    return ConfirmOutcome.confirmed


def discard_signature(
    session: Session, *, settings: Settings, petition: Petition, token: str
) -> bool:
    """Delete a pending signature from its confirmation link: its mailbox's owner says "not me".

    Whoever signs first with an address writes the row, and until it expires the owner could
    not sign under her own name. The link proves she holds the mailbox; a counted signature is
    never touched here.
    """
    signature = signature_for_token(session, settings=settings, petition=petition, token=token)
    if signature is None:
        return False
    deleted = session.execute(
        delete(Signature).where(
            col(Signature.id) == signature.id, col(Signature.status) == SignatureStatus.pending
        )
    )
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def purge_unconfirmed(session: Session, *, settings: Settings) -> int:
    """Delete signatures whose confirmation link has expired unused."""
    cutoff = utcnow() - timedelta(days=settings.signature_confirm_days)
    result = session.execute(
        delete(Signature).where(
            col(Signature.status) == SignatureStatus.pending, col(Signature.created_at) < cutoff
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
