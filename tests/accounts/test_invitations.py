"""Admins invite organisers by e-mail; an invitation opens one account, once; accounts can be
stopped and their second factor reset."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import Role, User
from campaign.accounts.service import invitations
from campaign.core.audit import AuditEvent
from campaign.core.db import transaction
from campaign.core.settings import Settings
from tests.conftest import PASSWORD, add_user, csrf_from, log_in, with_two_factor
from tests.factories import link_in, send_mail
from tests.smtp_server import SmtpServer

STRONG = "violet kettle harbour mosaic"


def invite(client: TestClient, email: str, role: str = "organiser"):  # type: ignore[no-untyped-def]
    token = csrf_from(client, "/admin/accounts")
    return client.post(
        "/admin/accounts/invite", data={"csrf_token": token, "email": email, "role": role}
    )


def invitation_link(engine: Engine, settings: Settings, smtp: SmtpServer, email: str) -> str:
    send_mail(engine, settings)
    mail = [m for m in smtp.messages if email in str(m["To"])][-1]
    return link_in(mail.get_body(("plain",)).get_content(), "/invitation?token=")


def accept(client: TestClient, link: str, password: str = STRONG, repeat: str | None = None):  # type: ignore[no-untyped-def]
    token = link.split("token=")[1]
    return client.post(
        "/invitation",
        data={
            "csrf_token": csrf_from(client, link),
            "token": token,
            "name": "Hanna New",
            "password": password,
            "repeat": password if repeat is None else repeat,
        },
    )


def test_an_invited_organiser_chooses_a_password_and_is_logged_in(
    admin_client: TestClient, app, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:  # type: ignore[no-untyped-def]
    assert invite(admin_client, "Hanna@Example.org").status_code == 303
    link = invitation_link(engine, settings, smtp, "hanna@example.org")
    assert "hanna@example.org" in admin_client.get("/admin/accounts").text  # listed as pending
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as invitee:
        page = invitee.get(link)
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        weak = accept(invitee, link, password="password1234")
        assert weak.status_code == 400 and "easy to guess" in weak.text
        differ = accept(invitee, link, repeat=STRONG + "!")
        assert differ.status_code == 400 and "differ" in differ.text
        done = accept(invitee, link)
        assert done.status_code == 303 and done.headers["location"] == "/admin"
        assert invitee.get("/admin").status_code == 200
        assert invitee.get(link).status_code == 404  # once only
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "hanna@example.org")).one()
        assert (user.role, user.name) == ("organiser", "Hanna New")
        actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert "account.invited" in actions and "account.created" in actions


def test_an_invited_admin_goes_straight_to_two_factor_setup(
    admin_client: TestClient, app, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:  # type: ignore[no-untyped-def]
    invite(admin_client, "boss@example.org", role="admin")
    link = invitation_link(engine, settings, smtp, "boss@example.org")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as invitee:
        assert accept(invitee, link).headers["location"] == "/account/two-factor"


def test_inviting_an_existing_account_or_a_bad_address_is_explained(
    admin_client: TestClient, organiser: User
) -> None:
    taken = invite(admin_client, organiser.email)
    assert taken.status_code == 400 and "already an account" in taken.text
    bad = invite(admin_client, "not an address")
    assert bad.status_code == 400 and "valid e-mail address" in bad.text


def test_a_withdrawn_or_replaced_invitation_no_longer_works(
    admin_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    invite(admin_client, "first@example.org")
    first = invitation_link(engine, settings, smtp, "first@example.org")
    invite(admin_client, "first@example.org")  # sent again: the earlier link lapses
    assert admin_client.get(first).status_code == 404
    second = invitation_link(engine, settings, smtp, "first@example.org")
    page = admin_client.get("/admin/accounts").text
    invitation_id = page.split("/admin/accounts/invitations/")[1].split("/")[0]
    admin_client.post(
        f"/admin/accounts/invitations/{invitation_id}/withdraw",
        data={"csrf_token": csrf_from(admin_client, "/admin/accounts")},
    )
    refused = admin_client.get(second)
    assert refused.status_code == 404 and "not valid" in refused.text


def test_stopping_an_admin_withdraws_the_invitations_they_sent(
    admin_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    other = with_two_factor(engine, add_user(engine, "second-admin@example.org", Role.admin))
    with transaction(engine) as session:
        invitations.invite(
            session,
            settings=settings,
            by=session.get(User, other.id),  # type: ignore[arg-type]
            email="friend@example.org",
            role="organiser",
            locale="en",
        )
    link = invitation_link(engine, settings, smtp, "friend@example.org")
    token = csrf_from(admin_client, "/admin/accounts")
    admin_client.post(
        f"/admin/accounts/{other.id}/active", data={"csrf_token": token, "active": "0"}
    )
    assert admin_client.get(link).status_code == 404


def test_stopping_an_account_ends_its_sessions_and_its_logins(
    admin_client: TestClient, app, engine: Engine, organiser: User
) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as theirs:
        assert log_in(theirs, organiser.email).status_code == 303
        token = csrf_from(admin_client, "/admin/accounts")
        stop = admin_client.post(
            f"/admin/accounts/{organiser.id}/active", data={"csrf_token": token, "active": "0"}
        )
        assert stop.status_code == 303
        assert theirs.get("/admin").status_code == 303  # logged out at once
        assert log_in(theirs, organiser.email).status_code == 400
        admin_client.post(
            f"/admin/accounts/{organiser.id}/active", data={"csrf_token": token, "active": "1"}
        )
        assert log_in(theirs, organiser.email, password=PASSWORD).status_code == 303


def test_an_admin_resets_the_second_factor_of_someone_who_lost_their_phone(
    admin_client: TestClient, engine: Engine, organiser: User
) -> None:
    with_two_factor(engine, organiser)
    token = csrf_from(admin_client, "/admin/accounts")
    admin_client.post(
        f"/admin/accounts/{organiser.id}/two-factor/reset", data={"csrf_token": token}
    )
    with Session(engine) as session:
        assert session.get(User, organiser.id).totp_enabled_at is None  # type: ignore[union-attr]
    own = admin_client.post("/admin/accounts/1/active", data={"csrf_token": token, "active": "0"})
    assert own.status_code == 303


def test_an_organiser_at_an_international_domain_is_invited_in_idna_and_logs_in(
    admin_client: TestClient, app, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:  # type: ignore[no-untyped-def]
    assert invite(admin_client, "hanna@пример.бел").status_code == 303
    link = invitation_link(engine, settings, smtp, "hanna@xn--e1afmkfd.xn--90ais")
    assert smtp.messages[-1]["To"] == "hanna@xn--e1afmkfd.xn--90ais"
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as invitee:
        assert accept(invitee, link).status_code == 303
        invitee.post("/logout", data={"csrf_token": csrf_from(invitee, "/admin")})
        assert log_in(invitee, "hanna@пример.бел", password=STRONG).status_code == 303
    # Without SMTPUTF8 at the relay (SMTP_UTF8 unset) a name before the @ outside ASCII
    # cannot be mailed: the form says so instead of queueing an invitation that never arrives.
    refused = invite(admin_client, "тест@пример.бел")
    assert refused.status_code == 400 and "outside the Latin alphabet before the @" in refused.text
