"""An organisation's partner API tokens: issued by an owner, shown once, kept as a SHA-256,
revoked, and found again from what a partner's system sends."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from campaign.accounts.models import ApiToken, ApiTokenRole, Organisation, User
from campaign.accounts.service.accounts import AccountError
from campaign.accounts.service.organisations import record_event
from campaign.core.db import utcnow
from campaign.core.i18n import _
from campaign.core.security import token_digest

PREFIX = "cpt_"
NAME_MAX = 100
# The characters after "cpt_" shown on the tokens page, to tell one token from another.
VISIBLE = 6
# A token in use is stamped at most this often: a partner's sync must not cost a write per page.
TOUCH_EVERY = timedelta(minutes=1)
# The most tokens an organisation may hold at once (revoked ones aside).
MAX_ACTIVE = 20


@dataclass(frozen=True)
class Issued:
    """A new token and the secret itself, which is never stored and shown only this once."""

    token: ApiToken
    secret: str


def role_label(role: ApiTokenRole | str) -> str:
    """A token's role as organisers read it."""
    labels = {
        ApiTokenRole.counts: _("petitions and their counts"),
        ApiTokenRole.people: _("petitions, signatures and the people who agreed to be contacted"),
    }
    return labels[ApiTokenRole(role)]


def tokens_of(session: Session, organisation_id: int | None) -> list[ApiToken]:
    """The organisation's tokens, the ones in use first, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.organisation_id == organisation_id)
            .order_by(col(ApiToken.revoked_at).is_not(None), col(ApiToken.id).desc())
        ).all()
    )


def issue_token(
    session: Session, *, organisation: Organisation, name: str, role: ApiTokenRole, by: User
) -> Issued:
    """A new token for the organisation, recorded in its trail; AccountError when the name is
    missing or too long, or the organisation holds too many tokens already."""
    name = " ".join(name.split())
    if not name:
        raise AccountError("name", _("Name the system that will use this token."))
    if len(name) > NAME_MAX:
        raise AccountError("name", _("Use at most %(count)s characters.", count=NAME_MAX))
    active = [t for t in tokens_of(session, organisation.id) if t.revoked_at is None]
    if len(active) >= MAX_ACTIVE:
        raise AccountError(
            "name", _("Revoke a token first: at most %(count)s may be in use.", count=MAX_ACTIVE)
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation_id=organisation.id,  # type: ignore[arg-type]
        name=name,
        role=role.value,
        token_hash=token_digest(secret),
        prefix=secret[: len(PREFIX) + VISIBLE],
        created_by=by.id,
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        by=by,
        action="organisation.api_token_issued",
        organisation=organisation,
        token=name,
        prefix=token.prefix,
        role=role.value,
    )
    return Issued(token, secret)


def revoke_token(
    session: Session, *, organisation: Organisation, token_id: int, by: User
) -> ApiToken | None:
    """Revoke one of the organisation's tokens at once; None when it is not one of them or is
    revoked already."""
    token = session.get(ApiToken, token_id)
    if token is None or token.organisation_id != organisation.id or token.revoked_at:
        return None
    token.revoked_at = utcnow()
    session.add(token)
    session.flush()
    record_event(
        session,
        by=by,
        action="organisation.api_token_revoked",
        organisation=organisation,
        token=token.name,
        prefix=token.prefix,
    )
    return token


def token_for(session: Session, secret: str) -> ApiToken | None:
    """The token in use that a partner's system sent, or None (unknown, or revoked)."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = session.exec(
        select(ApiToken).where(ApiToken.token_hash == token_digest(secret))
    ).first()
    return token if token is not None and token.revoked_at is None else None


def mark_used(session: Session, token: ApiToken, now: datetime | None = None) -> None:
    """Stamp when the token was last used, unless it was stamped within the last minute."""
    now = now or utcnow()
    last = token.last_used_at
    if last is not None and now - last < TOUCH_EVERY:
        return
    # A plain UPDATE: the token row is not dirtied for the rest of the request.
    session.execute(update(ApiToken).where(col(ApiToken.id) == token.id).values(last_used_at=now))
    token.last_used_at = now
