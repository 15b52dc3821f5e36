"""Accounts without HTTP: creating organisers, passwords, throttled logins, sessions."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import LoginSession, Role, User
from campaign.accounts.service.accounts import AccountError, create_organiser
from campaign.accounts.service.login import (
    end_session,
    finish_login,
    log_in,
    start_session,
    user_for_session,
)
from campaign.core.ratelimit import Limiter
from campaign.core.settings import Settings
from tests.conftest import PASSWORD


def test_password_is_stored_as_an_argon2id_hash(session: Session) -> None:
    user = create_organiser(session, email="Ana@Example.ORG", password=PASSWORD)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.email == "ana@example.org"
    assert user.role == Role.organiser


def test_the_same_address_cannot_have_two_accounts(session: Session) -> None:
    create_organiser(session, email="ana@example.org", password=PASSWORD)
    with pytest.raises(AccountError) as error:
        create_organiser(session, email="ANA@example.org", password=PASSWORD)
    assert error.value.field == "email"


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-address", PASSWORD, "email"),
        ("ana@example.org", "short", "password"),
        ("ana@example.org", "x" * 2000, "password"),
        ("ana@example.org", "password1234", "password"),
        ("ana@example.org", "qwertyuiop123", "password"),
        ("ana@example.org", "iloveyou2020!", "password"),
        ("ana@example.org", "aaaaaaaaaaaa", "password"),
        ("ana.bialiatskaya@example.org", "bialiatskaya1", "password"),
    ],
)
def test_bad_account_details_are_refused(
    session: Session, email: str, password: str, field: str
) -> None:
    with pytest.raises(AccountError) as error:
        create_organiser(session, email=email, password=password)
    assert error.value.field == field


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",
        "Tr0ub4dor&3xyz",
        # A long passphrase is welcome: 64 characters and far beyond.
        "the quiet river remembers every name we were told to forget " * 3,
    ],
)
def test_strong_passwords_and_long_passphrases_are_accepted(
    session: Session, password: str
) -> None:
    user = create_organiser(session, email="ana@example.org", password=password)
    assert user.id is not None


def _attempt(
    session: Session,
    settings: Settings,
    engine: Engine,
    password: str,
    client: str = "ip-1",
    email: str = "organiser@example.org",
):  # type: ignore[no-untyped-def]
    result = log_in(
        session,
        settings=settings,
        limiter=Limiter(engine),
        email=email,
        password=password,
        client_hash=client,
    )
    session.commit()  # as each request does: the audit entry is written either way
    return result


def test_login_checks_the_password(
    session: Session, settings: Settings, engine: Engine, organiser: User
) -> None:
    assert _attempt(session, settings, engine, "wrong password!").problem == "invalid"
    result = _attempt(session, settings, engine, PASSWORD)
    assert result.user is not None and result.user.id == organiser.id
    finish_login(session, user=result.user)
    assert result.user.last_login_at is not None


def test_an_account_is_throttled_after_repeated_failures_even_from_new_clients(
    session: Session, settings: Settings, engine: Engine, organiser: User
) -> None:
    for n in range(5):
        assert _attempt(session, settings, engine, "wrong", client=f"ip-{n}").problem == "invalid"
    result = _attempt(session, settings, engine, PASSWORD, client="ip-new")
    assert result.problem == "throttled"
    assert 0 < result.retry_after <= 15 * 60 + 1


def test_a_client_is_throttled_across_accounts(
    session: Session, settings: Settings, engine: Engine, organiser: User
) -> None:
    for n in range(30):
        _attempt(session, settings, engine, "wrong", client="ip-bot", email=f"guess{n}@example.org")
    assert _attempt(session, settings, engine, PASSWORD, client="ip-bot").problem == "throttled"
    assert _attempt(session, settings, engine, PASSWORD, client="ip-home").user is not None


def test_unknown_and_known_accounts_fail_alike(
    session: Session, settings: Settings, engine: Engine, organiser: User
) -> None:
    unknown = _attempt(session, settings, engine, "wrong", email="nobody@example.org")
    known = _attempt(session, settings, engine, "wrong")
    assert unknown == known


def test_a_session_token_finds_its_user_until_logout(
    session: Session, settings: Settings, organiser: User
) -> None:
    token = start_session(session, user=organiser, settings=settings)
    assert user_for_session(session, token=token) == organiser
    end_session(session, token=token)
    assert user_for_session(session, token=token) is None


def test_a_session_ends_after_being_idle(
    session: Session, settings: Settings, organiser: User
) -> None:
    token = start_session(session, user=organiser, settings=settings)
    login = session.exec(select(LoginSession)).one()
    login.last_seen_at -= timedelta(hours=3)
    session.flush()
    assert user_for_session(session, token=token) is None


def test_a_disabled_account_loses_its_sessions(
    session: Session, settings: Settings, organiser: User
) -> None:
    token = start_session(session, user=organiser, settings=settings)
    organiser.is_active = False
    session.add(organiser)
    session.flush()
    assert user_for_session(session, token=token) is None


def test_parallel_guesses_cannot_slip_past_the_limit(
    engine: Engine, settings: Settings, organiser: User
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from campaign.core.db import transaction

    def guess(n: int) -> str | None:
        with transaction(engine) as session:
            return log_in(
                session,
                settings=settings,
                limiter=Limiter(engine),
                email=organiser.email,
                password=f"wrong {n}",
                client_hash=f"ip-{n}",
            ).problem

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert outcomes.count("invalid") == 5
    assert outcomes.count("throttled") == 15


def test_rate_limit_counters_do_not_hold_the_address(
    engine: Engine, settings: Settings, session: Session, organiser: User
) -> None:
    from campaign.core.ratelimit import RateCounter

    _attempt(session, settings, engine, "wrong", email="x" * 200 + "@example.org")
    keys = [row.key for row in session.exec(select(RateCounter)).all()]
    assert keys and all("example.org" not in key and len(key) == 64 for key in keys)
