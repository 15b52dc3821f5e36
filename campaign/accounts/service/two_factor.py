"""Two-factor login with TOTP (RFC 6238) and single-use recovery codes."""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import pyotp
import segno
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from campaign.accounts.models import RecoveryCode, User
from campaign.core import audit
from campaign.core.db import utcnow
from campaign.core.security import keyed_hash, read_token, signer
from campaign.core.settings import Settings

ISSUER = "campaign"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper


SETUP_MAX_AGE = 15 * 60


def new_setup(settings: Settings, user: User) -> tuple[str, str]:
    """A fresh secret to scan, and the signed token the setup form carries it back in.

    The secret lives only in that page until it is confirmed: someone who once saw a setup
    page (with a stolen password, say) learns nothing about the secret the owner turns on.
    """
    secret = pyotp.random_base32()
    return secret, str(signer(settings, "totp-setup").dumps([user.id, secret]))


def setup_secret(settings: Settings, user: User, token: str) -> str | None:
    """The secret a setup form carried, if the token is genuine, recent and this user's."""
    payload = read_token(settings, "totp-setup", token, SETUP_MAX_AGE)
    if not isinstance(payload, list) or len(payload) != 2 or payload[0] != user.id:
        return None
    return str(payload[1])


def provisioning_uri(user: User, secret: str, *, issuer: str = ISSUER) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """The address as an inline SVG QR code (no image file, no script)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#111", light="#fff"))


def _step(code: str, secret: str, now: datetime) -> int | None:
    """The time step a six-digit code belongs to (this one or a neighbour), or None."""
    totp = pyotp.TOTP(secret)
    here = int(now.timestamp()) // totp.interval
    for step in (here, here - 1, here + 1):
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            return step
    return None


def _digits(code: str) -> str:
    return "".join(code.split())


def _six_digits(code: str) -> bool:
    # Not str.isdigit(): it takes other scripts' digits, which the HMAC comparison refuses.
    return re.fullmatch(r"[0-9]{6}", _digits(code)) is not None


def confirm_setup(
    session: Session,
    *,
    settings: Settings,
    user: User,
    secret: str,
    code: str,
    now: datetime | None = None,
) -> list[str] | None:
    """Turn two-factor on when the code matches the secret shown; the recovery codes, once."""
    step = _step(_digits(code), secret, now or utcnow()) if _six_digits(code) else None
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    session.add(user)
    audit.record(session, by=user, action="account.two_factor_on")
    return new_recovery_codes(session, settings=settings, user=user)


def new_recovery_codes(session: Session, *, settings: Settings, user: User) -> list[str]:
    """Ten fresh single-use codes (shown once); the earlier ones stop working."""
    assert user.id is not None
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    codes = [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(settings, code)))
    session.flush()
    return codes


def recovery_codes_left(session: Session, *, user: User) -> int:
    """How many recovery codes are still unused."""
    return len(
        session.exec(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, col(RecoveryCode.used_at).is_(None)
            )
        ).all()
    )


def verify(
    session: Session, *, settings: Settings, user: User, code: str, now: datetime | None = None
) -> bool:
    """Whether a login's second step holds: a fresh TOTP code, or an unused recovery code.

    A TOTP code is accepted once: a code seen before (or an older one) is refused, so a code
    read over someone's shoulder cannot be replayed within its 30 seconds.
    """
    if user.totp_enabled_at is None or not user.totp_secret:
        return False
    typed = _digits(code)
    if _six_digits(typed):
        step = _step(typed, user.totp_secret, now or utcnow())
        if step is None or step <= user.totp_last_step:
            return False
        claimed = session.execute(
            update(User)
            .where(col(User.id) == user.id, col(User.totp_last_step) < step)
            .values(totp_last_step=step)
        )
        return bool(claimed.rowcount)  # type: ignore[attr-defined]
    used = session.execute(
        update(RecoveryCode)
        .where(
            col(RecoveryCode.user_id) == user.id,
            col(RecoveryCode.code_hash) == _recovery_hash(settings, typed),
            col(RecoveryCode.used_at).is_(None),
        )
        .values(used_at=utcnow())
    )
    if not used.rowcount:  # type: ignore[attr-defined]
        return False
    audit.record(session, by=user, action="account.recovery_code_used")
    return True


def turn_off(session: Session, *, user: User, by: User) -> None:
    """Remove two-factor from an account (its owner, or an admin for someone who lost it)."""
    assert user.id is not None
    user.totp_secret = ""
    user.totp_enabled_at = None
    user.totp_last_step = 0
    session.add(user)
    session.execute(delete(RecoveryCode).where(col(RecoveryCode.user_id) == user.id))
    audit.record(session, by=by, action="account.two_factor_off", account=user.email)


def _recovery_hash(settings: Settings, code: str) -> str:
    canonical = "".join(ch for ch in code.upper() if ch.isalnum())
    return keyed_hash(settings, "recovery-code", canonical)
