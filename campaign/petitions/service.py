"""Petitions: signing, confirming, counting, and what the pages show. All SQL of the domain."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import Boolean, and_, bindparam, delete, func, or_, update
from sqlmodel import Session, col, select

from campaign.content.service import text_in
from campaign.core.db import increment, insert_new, utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.security import email_index, read_token, row_for_token, row_token, signer
from campaign.core.settings import Settings
from campaign.core.switches import SIGNING_PAUSED, flag_subquery, remember_flag
from campaign.mail import outbox
from campaign.mail.models import MailPriority
from campaign.petitions.forms import SignForm
from campaign.petitions.models import (
    Petition,
    PetitionStatus,
    PetitionTally,
    Signature,
    SignatureStatus,
)

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


@dataclass(frozen=True)
class PublicSigner:
    """What a signer who opted in shows on the petition page: first name, initial, city."""

    display_name: str
    city: str


# -- reading -----------------------------------------------------------------------------------


def has_ended(petition: Petition) -> bool:
    """Whether the petition's last day of signing has passed."""
    return petition.ends_at is not None and petition.ends_at <= utcnow()


def public_status(petition: Petition) -> str:
    """The state the public sees: an open petition past its end date is closed."""
    return PetitionStatus.closed.value if has_ended(petition) else petition.status


def open_petitions(session: Session) -> list[Petition]:
    """Petitions people can sign now, newest first."""
    query = (
        select(Petition)
        .where(
            Petition.status == PetitionStatus.open,
            or_(col(Petition.ends_at).is_(None), col(Petition.ends_at) > utcnow()),
        )
        .order_by(col(Petition.published_at).desc(), col(Petition.id).desc())
    )
    return list(session.exec(query).all())


# Built once: every public petition request runs it. The site's signing switch comes along,
# so signing and the page need no second round trip for it.
_PUBLIC_PETITION = select(Petition, flag_subquery(SIGNING_PAUSED)).where(
    Petition.slug == bindparam("slug"),
    or_(col(Petition.status) == PetitionStatus.open, col(Petition.status) == PetitionStatus.closed),
)


def public_petition(session: Session, slug: str) -> Petition | None:
    """A petition the public may see (open or closed), by its slug."""
    row = session.exec(_PUBLIC_PETITION, params={"slug": slug}).first()
    if row is None:
        return None
    petition, paused = row
    remember_flag(session, SIGNING_PAUSED, paused)
    return petition


def petition_choices(session: Session) -> list[tuple[int, str]]:
    """(id, title) of every petition not archived, newest first, for linking from elsewhere."""
    query = (
        select(Petition.id, Petition.title)
        .where(Petition.status != PetitionStatus.archived)
        .order_by(col(Petition.id).desc())
    )
    return [(int(pid), title) for pid, title in session.exec(query).all() if pid is not None]


def public_petition_by_id(session: Session, petition_id: int | None) -> Petition | None:
    """A petition the public may see, by id (for pages of other campaigns that link to it)."""
    if petition_id is None:
        return None
    petition = session.get(Petition, petition_id)
    if petition is None or petition.status not in {PetitionStatus.open, PetitionStatus.closed}:
        return None
    return petition


def petition_version(petition: Petition) -> str:
    """Changes whenever what the public sees of a petition changes (text, state or count)."""
    stamp = petition.updated_at.timestamp()
    return f"{petition.id}.{stamp}.{petition.status}.{petition.signature_count}"


def version_tag(*parts: str) -> str:
    """A weak ETag from version strings."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:24]
    return f'W/"{digest}"'


def accepts_signatures(petition: Petition, *, site_paused: bool = False) -> bool:
    """Whether the petition can be signed right now."""
    if site_paused or petition.signing_paused or petition.status != PetitionStatus.open:
        return False
    return not has_ended(petition)


def displayed_goal(count: int, goal: int) -> int:
    """The goal to show: the organiser's, then the next 1, 2 or 5 times a power of ten."""
    if count < goal:
        return goal
    magnitude = 1
    while True:
        for step in (1, 2, 5):
            if step * magnitude > count and step * magnitude > goal:
                return step * magnitude
        magnitude *= 10


def recent_public_signers(
    session: Session, petition: Petition, limit: int = 10
) -> list[PublicSigner]:
    """The newest counted signers who chose to be shown, as first name and initial."""
    query = (
        select(Signature.name, Signature.city)
        .where(
            Signature.petition_id == petition.id,
            Signature.status == SignatureStatus.confirmed,
            col(Signature.suspect).is_(False),
            col(Signature.show_publicly).is_(True),
        )
        .order_by(col(Signature.confirmed_at).desc())
        .limit(limit)
    )
    return [PublicSigner(_short_name(name), city) for name, city in session.exec(query).all()]


def _short_name(name: str) -> str:
    parts = name.split()
    if len(parts) < 2:
        return parts[0] if parts else ""
    return f"{parts[0]} {parts[-1][0]}."


def tallies(session: Session, petition: Petition) -> list[tuple[str, int]]:
    """Counted signatures per country, largest first."""
    query = (
        select(PetitionTally.country, PetitionTally.count)
        .where(PetitionTally.petition_id == petition.id, PetitionTally.count > 0)
        .order_by(col(PetitionTally.count).desc(), col(PetitionTally.country))
    )
    return [(country, count) for country, count in session.exec(query).all()]


# -- signing -----------------------------------------------------------------------------------


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
    outbox.enqueue(
        session,
        to=signature.email,
        template="already_signed",
        context={
            "name": signature.name,
            "title": text_in(session, "petition", petition, "title", signature.locale),
            "url": f"{_petition_url(settings, petition)}?lang={signature.locale}",
        },
        locale=signature.locale,
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
    outbox.enqueue(
        session,
        to=to,
        template="confirm_signature",
        context={
            "name": name,
            "title": text_in(session, "petition", petition, "title", locale),
            "url": f"{_petition_url(settings, petition)}/confirm?token={token}&lang={locale}",
            "days": settings.signature_confirm_days,
        },
        locale=locale,
        base_url=settings.base_url,
        priority=priority,
    )


def _petition_url(settings: Settings, petition: Petition) -> str:
    return f"{settings.base_url}/petitions/{petition.slug}"


# -- confirming and counting -------------------------------------------------------------------


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


# Built once, run by every confirmation. On the tables, not the models: an ORM update also
# looks for the rows' objects in the session to change them in memory, a tenth of a
# confirmation's CPU, and nothing reads those objects after it.
_PETITION = Petition.__table__  # type: ignore[attr-defined]
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
_COUNT = (
    update(_PETITION)
    .where(_PETITION.c.id == bindparam("petition_id"))
    .values(signature_count=_PETITION.c.signature_count + bindparam("delta"))
)


def count_signature(session: Session, *, petition_id: int, country: str, delta: int) -> None:
    """Move the petition's total and its country's tally by delta, atomically."""
    session.execute(_COUNT, {"petition_id": petition_id, "delta": delta})
    increment(
        session,
        PetitionTally.__table__,  # type: ignore[attr-defined]
        {"petition_id": petition_id, "country": country},
        "count",
        delta,
    )


def purge_unconfirmed(session: Session, *, settings: Settings) -> int:
    """Delete signatures whose confirmation link has expired unused."""
    cutoff = utcnow() - timedelta(days=settings.signature_confirm_days)
    result = session.execute(
        delete(Signature).where(
            col(Signature.status) == SignatureStatus.pending, col(Signature.created_at) < cutoff
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def status_counts(session: Session, petition: Petition) -> dict[str, int]:
    """Pending, confirmed (counted), suspect and invalidated signatures of a petition."""
    rows = session.exec(
        select(Signature.status, Signature.suspect, func.count())
        .where(Signature.petition_id == petition.id)
        .group_by(col(Signature.status), col(Signature.suspect))
    ).all()
    counts = {"pending": 0, "confirmed": 0, "suspect": 0, "invalidated": 0}
    for status, suspect, n in rows:
        if status == SignatureStatus.invalidated:
            counts["invalidated"] += n
        elif suspect:
            counts["suspect"] += n
        else:
            counts[status] += n
    return counts
