"""Signing: the sign form's stamp, a signature held until its address confirms it (double
opt-in), confirming or discarding it from the mailed link, and purging links left unused."""

from __future__ import annotations

import time
from enum import StrEnum

from sqlalchemy import Boolean, and_, bindparam, delete
from sqlmodel import Session, col, select

from campaign.content.service import text_in
from campaign.core.ratelimit import Limiter
from campaign.core.security import email_index, read_token, signer
from campaign.core.settings import Settings
from campaign.mail.double_optin import ConfirmOutcome, DoubleOptIn
from campaign.mail.models import MailPriority
from campaign.petitions import emails
from campaign.petitions.forms import SignForm
from campaign.petitions.models import Petition, Signature, SignatureStatus, personal_of
from campaign.petitions.service import coalition, fields, webhooks
from campaign.petitions.service.counting import count_at_commit

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


# The petition's double opt-in (mail/double_optin.py). Confirming also turns the sign form's
# request to be named in hand-overs into consent, only if the confirmation page's box is
# ticked again (`named`): until then the flag was only a request.
OPT_IN = DoubleOptIn(
    model=Signature,
    purpose="signature",
    scope="petition_id",
    limit_name="sign",
    max_mails=MAX_MAILS_PER_SIGNATURE,
    confirm_values={
        "named_in_handover": and_(_SIGNATURE.c.named_in_handover, bindparam("named", type_=Boolean))
    },
)


# -- the sign form's stamp ---------------------------------------------------------------------


FORM_MAX_AGE = 24 * 3600
# The stamp a sign form's first focus fetches (site.css) keeps its date in this cookie.
STAMP_COOKIE = "campaign_started"
# A transparent 1x1 GIF: what /stamp answers with, so the form's background stays as it was.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def form_started_token(settings: Settings, petition_id: int | None) -> str:
    """A signed timestamp for a sign form, to tell a person from a fast bot: for one
    petition (the form shown again after a post) or, with None, for any (the stamp cookie)."""
    return str(signer(settings, "sign-form").dumps([petition_id, time.time()]))


def form_age(settings: Settings, token: str, petition_id: int) -> float | None:
    """Seconds since the sign form was stamped; None when the stamp is forged, stale or foreign."""
    payload = read_token(settings, "sign-form", token, max_age=FORM_MAX_AGE)
    if not isinstance(payload, list) or len(payload) != 2 or payload[0] not in (petition_id, None):
        return None
    return time.time() - float(payload[1])


def filled_too_fast(settings: Settings, age: float | None) -> bool:
    """Whether the form came back sooner than a person could fill it (or without a valid stamp)."""
    minimum = settings.sign_min_fill_seconds
    return minimum > 0 and (age is None or age < minimum)


def needs_stamp(settings: Settings, age: float | None) -> bool:
    """Whether a sign form came back with no stamp at all, and is to be shown again, stamped,
    before anything is stored: a bot that posts without loading the form stores nothing."""
    return age is None and settings.sign_min_fill_seconds > 0


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
    A filled honeypot is a bot: dropped, no row, no mail. The limits and what happens past
    them are the double opt-in's (mail/double_optin.py); here a form sent back too fast
    (autofill can be that quick) or over the petition's limits is also kept as suspect: it
    counts only if an organiser accepts it.
    """
    if honeypot:
        return SignOutcome.dropped
    reasons = ["form sent too fast"] if too_fast else []
    admission = OPT_IN.admit(limiter, settings, scope_id=petition.id, client=ip_hash)  # type: ignore[arg-type]
    if not admission.within_limits:
        reasons.append("rate limit")  # kept, but counted only if an organiser accepts it
    index = email_index(settings, form.email)
    signature_id = OPT_IN.hold(
        session,
        settings,
        values={
            "petition_id": petition.id,
            "name": form.name,
            "email": form.email,
            "email_hash": index,
            "country": form.country,
            "city": form.city,
            "personal": personal_of(form.name, form.email, form.city),
            "consent": True,
            "wants_updates": form.wants_updates,
            "show_publicly": form.show_publicly,
            "named_in_handover": form.named_in_handover,
            "locale": locale,
            "suspect": bool(reasons),
            "suspect_reason": ", ".join(reasons),
            "ip_hash": ip_hash,
            "invalidation_reason": "",
        },
        priority=admission.priority,
        mail=lambda token, priority: _mail_confirmation(
            session,
            settings=settings,
            petition=petition,
            token=token,
            to=form.email,
            name=form.name,
            locale=locale,
            priority=priority,
        ),
    )
    if signature_id is not None:
        coalition.record_consents(
            session, petition=petition, signature_id=signature_id, ticked=form.partners
        )
        fields.store_answers(session, signature_id=signature_id, answers=form.answers)
        return SignOutcome.new
    existing = session.exec(
        select(Signature).where(Signature.petition_id == petition.id, Signature.email_hash == index)
    ).one()
    return _repeat_signature(
        session,
        settings=settings,
        petition=petition,
        signature=existing,
        priority=admission.priority,
    )


def _repeat_signature(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    signature: Signature,
    priority: MailPriority | None,
) -> SignOutcome:
    if not OPT_IN.may_mail_again(signature, priority):
        if signature.mails_sent >= OPT_IN.max_mails:
            return SignOutcome.mail_cap
        return SignOutcome.client_mail_cap
    assert priority is not None
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
    return OPT_IN.token(settings, signature.id, signature.token_nonce or "")


def _mail_confirmation(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    token: str,
    to: str,
    name: str,
    locale: str,
    priority: MailPriority,
) -> None:
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
    row: Signature | None = OPT_IN.held_row(session, settings, token=token, scope_id=petition.id)
    return row


def confirm_signature(
    session: Session,
    *,
    settings: Settings,
    petition: Petition,
    token: str,
    named: bool = False,
    partners: frozenset[int] = frozenset(),
) -> ConfirmOutcome:
    """Use a confirmation link: the signature counts (unless suspect), once, even if sent twice.

    `named` is the confirmation page's box: the signer is named in hand-overs only if the sign
    form asked for it and whoever holds the mailbox ticks it again here. The sign form alone
    cannot name anyone: whoever signs first with an address sets the row's request, and that
    may be a stranger whose row the address's owner then confirms. `partners` likewise: a
    partner organisation may contact the signer only if its box is ticked again here.
    """
    signature = signature_for_token(session, settings=settings, petition=petition, token=token)
    if signature is None:
        return ConfirmOutcome.invalid
    outcome = OPT_IN.confirm(session, signature, named=named)
    if outcome is ConfirmOutcome.confirmed:
        coalition.keep_consents(session, signature_id=signature.id, kept=partners)  # type: ignore[arg-type]
    if outcome is ConfirmOutcome.confirmed and not signature.suspect:
        count_at_commit(session, petition_id=petition.id, country=signature.country, delta=1)  # type: ignore[arg-type]
        webhooks.signature_confirmed(
            session, settings=settings, petition=petition, signature=signature, partners=partners
        )
    return outcome


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
    return OPT_IN.expire(session, settings)
