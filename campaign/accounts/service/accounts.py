"""Organiser accounts: creating them, the rules a new password must pass, finding them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select
from zxcvbn import zxcvbn

from campaign.accounts.models import Role, User
from campaign.core import audit
from campaign.core.i18n import _
from campaign.core.security import hash_password

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
GOOD_ENOUGH = 3  # zxcvbn's score: 3 is "safely unguessable" for an online attack


class AccountError(ValueError):
    """An account cannot be created or changed as asked; the message is for the user."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(email: str) -> str:
    """The address as accounts store it: syntax checked, domain lower-cased; AccountError if bad."""
    try:
        result = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError("email", _("Enter a valid e-mail address.")) from exc
    return result.normalized.lower()


def check_password_rules(password: str, *, user_inputs: Sequence[str] = ()) -> None:
    """Raise AccountError when a new password is too short, absurdly long, or easy to guess.

    Long passphrases are welcome (up to MAX_PASSWORD_LENGTH). zxcvbn checks the rest against its
    30,000 most common passwords, names, words, keyboard walks and dates, and against the
    account's own address; a password it rates below 3 of 4 is refused.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            "password",
            _("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError("password", _("This password is too long."))
    # The first 72 characters decide (zxcvbn's own limit: its matching grows fast with length),
    # and a passphrase that long is not guessable anyway.
    if zxcvbn(password[:72], user_inputs=list(user_inputs))["score"] < GOOD_ENOUGH:
        raise AccountError(
            "password",
            _(
                "This password is easy to guess: it is a common password or follows a simple "
                "pattern. A few unrelated words make a strong one."
            ),
        )


def create_organiser(
    session: Session, *, email: str, password: str, role: Role = Role.organiser, name: str = ""
) -> User:
    """Add an organiser account; AccountError when the address is taken or the password weak."""
    address = normalise_email(email)
    words = [word for word in re.split(r"[\W_]+", f"{address} {name}") if len(word) > 2]
    check_password_rules(password, user_inputs=[address, *words])
    if find_user(session, email=address) is not None:
        raise AccountError("email", _("An account with this e-mail address already exists."))
    user = User(email=address, name=name.strip(), password_hash=hash_password(password), role=role)
    session.add(user)
    session.flush()
    audit.record(session, by=None, action="account.created", target=f"user:{user.id}", role=role)
    return user


def find_user(session: Session, *, email: str) -> User | None:
    """The account with this address (compared case-insensitively), if any."""
    return session.exec(select(User).where(User.email == email.strip().lower())).first()


def list_users(session: Session) -> list[User]:
    """All accounts, admins first, then by address."""
    return list(session.exec(select(User).order_by(col(User.role), col(User.email))).all())
