"""What `campaign create-organisation` and `create-organiser` do beyond parsing their options:
the password read, the account made with its role in an organisation (both or neither), an
account's error as one line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlmodel import Session

from campaign.accounts.models import OrgRole, Role
from campaign.accounts.service.accounts import AccountError, create_organiser
from campaign.accounts.service.organisations import add_member, organisation_named


@contextmanager
def account_errors() -> Iterator[None]:
    """An AccountError as one line on stderr, `campaign: <field>: <message>`, and exit code 1."""
    try:
        yield
    except AccountError as exc:
        click.echo(f"campaign: {exc.field}: {exc.message}", err=True)
        sys.exit(1)


def read_password(*, from_stdin: bool) -> str:
    """One line of standard input when asked to or when it is not a terminal; otherwise the
    password is asked for twice, unseen."""
    if from_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def create_account(
    session: Session,
    *,
    email: str,
    password: str,
    name: str = "",
    admin: bool = False,
    organisation: str | None = None,
    role: str | None = None,
) -> str:
    """Add an account and, when an organisation is named, its membership there (a campaigner
    unless `role` says otherwise); what was done, in words. AccountError when the organisation
    is unknown (then nothing is made) or the account cannot be made."""
    found = None
    if organisation is not None:
        found = organisation_named(session, organisation)
        if found is None:
            raise AccountError("organisation", f"there is no organisation named {organisation!r}")
    user = create_organiser(
        session,
        email=email,
        password=password,
        name=name,
        role=Role.admin if admin else Role.organiser,
    )
    done = f"created {user.role} {user.email}"
    if found is None:
        return done
    member = OrgRole(role or OrgRole.campaigner)
    add_member(session, found, user, member)
    return f"{done}, {member.value} of {found.name}"
