"""Logging in: passwords checked under throttling, and the login sessions that follow."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from campaign.accounts.models import LoginSession, User
from campaign.accounts.service.accounts import AccountError, find_user, normalise_email
from campaign.core import audit
from campaign.core.db import utcnow
from campaign.core.ratelimit import Limiter
from campaign.core.security import (
    hash_password,
    password_needs_rehash,
    token_digest,
    verify_password,
)
from campaign.core.settings import Settings

IDLE_TIMEOUT = timedelta(hours=2)
TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class LoginResult:
    """What a login attempt came to: a user, or why not (`invalid`, `throttled`)."""

    user: User | None = None
    problem: str | None = None
    retry_after: int = 0


def log_in(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    email: str,
    password: str,
    client_hash: str,
    device: tuple[int, str] | None = None,
) -> LoginResult:
    """Check a password under throttling (only wrong ones count); never tells which part failed.

    From a browser that logged in to this account before (`device`, from its signed cookie),
    only that browser's own attempts count: failures from elsewhere, which lock the account
    for every other browser, cannot keep its owner out.
    """
    try:  # one key however the address is spelled (пример.бел or xn--e1afmkfd.xn--90ais)
        account_key = normalise_email(email)
    except AccountError:
        account_key = email.strip().lower()
    user = find_user(session, email=account_key)
    own_browser = device is not None and user is not None and device[0] == user.id
    if device is not None and own_browser:
        limits: tuple[tuple[str, str, str], ...] = (
            (settings.login_limit_per_account, "login-device", device[1]),
        )
    else:
        limits = (
            (settings.login_limit_per_account, "login-account", account_key),
            (settings.login_limit_per_client, "login-client", client_hash),
        )
    retry_after = _count_attempt(limiter, limits)
    if retry_after is not None:
        if user is not None:  # an unknown address is not recorded: it may be anyone's
            audit.record(session, by=user, action="account.login_throttled")
        return LoginResult(problem="throttled", retry_after=retry_after)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        if user is not None:
            audit.record(session, by=user, action="account.login_failed", active=user.is_active)
        return LoginResult(problem="invalid")
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if own_browser:  # the owner, back in their own browser, lifts the lock for strangers too
        limiter.clear(settings.login_limit_per_account, "login-account", account_key)
    _forgive_attempt(limiter, limits)
    return LoginResult(user=user)


def recheck_password(
    session: Session,
    *,
    settings: Settings,
    limiter: Limiter,
    user: User,
    password: str,
    client_hash: str,
    purpose: str,
) -> LoginResult:
    """Check the password of someone logged in, before a step that asks for it again (turning
    two-factor off, new recovery codes): throttled and recorded like a login.

    Counted per account, so a session left open on a shared computer is no way to guess the
    password, and on the client's login counter, so a guesser gets no second allowance here.
    """
    limits = (
        (settings.login_limit_per_account, "password-recheck", str(user.id)),
        (settings.login_limit_per_client, "login-client", client_hash),
    )
    retry_after = _count_attempt(limiter, limits)
    if retry_after is not None:
        audit.record(session, by=user, action="account.password_recheck_throttled", purpose=purpose)
        return LoginResult(problem="throttled", retry_after=retry_after)
    if not verify_password(user.password_hash, password):
        audit.record(session, by=user, action="account.password_recheck_failed", purpose=purpose)
        return LoginResult(problem="invalid")
    _forgive_attempt(limiter, limits)
    return LoginResult(user=user)


def _count_attempt(limiter: Limiter, limits: Sequence[tuple[str, ...]]) -> int | None:
    """Count a password attempt on each limit; the seconds to wait when one is exceeded.

    Every attempt is counted before the slow password check, atomically, so parallel guesses
    cannot all slip through between a check and a count.
    """
    for limit, *identifiers in limits:
        if not limiter.hit(limit, *identifiers):
            return limiter.retry_after(limit, *identifiers)
    return None


def _forgive_attempt(limiter: Limiter, limits: Sequence[tuple[str, ...]]) -> None:
    """Only wrong passwords count. After a right one, the account's (or this browser's) earlier
    failures are forgiven; the client's are not (a guesser could otherwise wipe them by logging
    in to an account of their own between guesses): its counter only gets this attempt back."""
    for limit, *identifiers in limits:
        if identifiers[0] == "login-client":
            limiter.refund(limit, *identifiers)
        else:
            limiter.clear(limit, *identifiers)


def finish_login(session: Session, *, user: User) -> None:
    """Record a completed login: after the password, and the second factor where there is one."""
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, by=user, action="account.login")


def start_session(session: Session, *, user: User, settings: Settings) -> str:
    """Open a login session for the user; returns the token for the cookie."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        LoginSession(
            token_hash=token_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_max_age_hours),
        )
    )
    session.flush()
    return token


def user_for_session(session: Session, *, token: str) -> User | None:
    """The active user behind a session token, or None when unknown, idle too long or expired."""
    now = utcnow()
    row = session.exec(
        select(LoginSession, User)
        .join(User, col(User.id) == col(LoginSession.user_id))
        .where(LoginSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    login, user = row
    if login.expires_at <= now or login.last_seen_at + IDLE_TIMEOUT <= now or not user.is_active:
        session.delete(login)
        return None
    if now - login.last_seen_at >= TOUCH_EVERY:
        login.last_seen_at = now
    return user


def end_session(session: Session, *, token: str) -> None:
    """Log a browser out: its session token stops working at once."""
    login = session.exec(
        select(LoginSession).where(col(LoginSession.token_hash) == token_digest(token))
    ).first()
    if login is None:
        return
    user = session.get(User, login.user_id)
    session.execute(delete(LoginSession).where(col(LoginSession.id) == login.id))
    if user is not None:
        audit.record(session, by=user, action="account.logout")


def end_all_sessions(session: Session, *, user: User, keep: str | None = None) -> None:
    """Log an account out everywhere (deactivated, second factor reset or turned on), except
    in the browser holding `keep`."""
    statement = delete(LoginSession).where(col(LoginSession.user_id) == user.id)
    if keep:
        statement = statement.where(col(LoginSession.token_hash) != token_digest(keep))
    session.execute(statement)


def purge_expired_sessions(session: Session) -> int:
    """Delete login sessions past their absolute expiry."""
    result = session.execute(delete(LoginSession).where(col(LoginSession.expires_at) <= utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]
