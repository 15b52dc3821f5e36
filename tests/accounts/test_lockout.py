"""Failed logins lock an account for strangers, never for a browser its owner logged in from."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.accounts.models import User
from tests.conftest import add_user, csrf_from, log_in


def fresh_browser(app) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


def test_a_stranger_guessing_passwords_cannot_keep_the_owner_out_of_their_own_browser(
    app, client: TestClient, engine: Engine, organiser: User
) -> None:  # type: ignore[no-untyped-def]
    other_organiser = add_user(engine, "other@example.org")
    assert log_in(client, organiser.email).status_code == 303  # the owner's usual browser
    client.cookies.delete("campaign_session")
    with fresh_browser(app) as attacker:
        tries = [log_in(attacker, organiser.email, password="guess-" + str(n)) for n in range(8)]
        assert tries[-1].status_code == 429
        # A new browser with the right password waits too: the account is locked for strangers.
        assert log_in(attacker, organiser.email).status_code == 429
    assert log_in(client, organiser.email).status_code == 303
    # The cookie names one account: it does not open a way around the lock for another.
    with fresh_browser(app) as other:
        for n in range(8):
            log_in(other, other_organiser.email, password="guess-" + str(n))
    client.cookies.delete("campaign_session")
    assert log_in(client, other_organiser.email).status_code == 429


def test_an_office_behind_one_address_can_log_in_all_day(app, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    """Only failures count toward the per-client limit: 31 right passwords from one address
    (30 is the limit) all open the organiser area, while 31 wrong ones are told to wait."""
    colleagues = [add_user(engine, f"colleague{n}@example.org") for n in range(4)]
    for n in range(31):
        with fresh_browser(app) as browser:  # a new browser each time: no device cookie
            response = log_in(browser, colleagues[n % 4].email)
            assert response.status_code == 303, f"correct login {n + 1} was refused"
    with fresh_browser(app) as attacker:
        # Unknown addresses, so only the per-client limit can stop them.
        tries = [log_in(attacker, f"nobody{n}@example.org", password="guess") for n in range(31)]
    assert [r.status_code for r in tries[:30]] == [400] * 30
    assert tries[30].status_code == 429 and "Try again in" in tries[30].text


def test_the_owner_logging_in_and_out_of_their_own_browser_is_never_told_to_wait(
    client: TestClient, organiser: User
) -> None:
    for n in range(8):
        response = log_in(client, organiser.email)
        assert response.status_code == 303, f"login {n + 1} from the owner's browser was refused"
        client.post("/logout", data={"csrf_token": csrf_from(client, "/admin")})


def test_spelling_an_international_address_in_punycode_is_the_same_account(
    app, engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    """Same account, same lock: the IDNA spelling neither locks out nor gets guesses of its own."""
    add_user(engine, "anna@пример.бел")
    with fresh_browser(app) as browser:
        assert log_in(browser, "anna@xn--e1afmkfd.xn--90ais").status_code == 303
    with fresh_browser(app) as attacker:
        for n in range(5):
            spelling = "anna@пример.бел" if n % 2 else "ANNA@XN--E1AFMKFD.XN--90AIS"
            assert log_in(attacker, spelling, password=f"guess {n}").status_code == 400
        assert log_in(attacker, "anna@xn--e1afmkfd.xn--90ais").status_code == 429
