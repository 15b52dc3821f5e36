"""Failed logins lock an account for strangers, never for a browser its owner logged in from."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from campaign.accounts.models import User
from tests.conftest import add_user, log_in


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
