"""An organisation's owners manage its members in the web pages: add an account or invite anyone
with a role (the invitation names the organisation and the role), change roles, remove members,
never leave the organisation without an owner, and read the organisation's own audit trail.
Site administrators create organisations and name their first owner."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from campaign.accounts.models import Invitation, Membership, Organisation, OrgRole, User
from campaign.core.audit import AuditEvent
from campaign.core.settings import Settings
from tests.accounts.test_invitations import accept, invitation_link
from tests.conftest import add_user, csrf_from, log_in
from tests.factories import make_member, make_petition, organisation
from tests.smtp_server import SmtpServer

ORG = "Test organisation"


def members_url(engine: Engine) -> str:
    return f"/admin/organisations/{organisation(engine)}"


def post(client: TestClient, path: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_from(client, "/admin"), **data})


def role_of(engine: Engine, email: str, name: str = ORG) -> str | None:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        membership = session.get(Membership, (organisation(engine, name), user.id))
    return membership.role if membership else None


def test_an_owner_invites_someone_new_who_joins_with_the_role_the_invitation_names(
    organiser_client: TestClient,
    app: Any,
    engine: Engine,
    settings: Settings,
    smtp: SmtpServer,
) -> None:
    url = members_url(engine)
    page = organiser_client.get(url)
    assert page.status_code == 200 and "Members of Test organisation" in page.text
    sent = post(organiser_client, f"{url}/members", email="ales@example.org", role="steward")
    assert sent.status_code == 303
    assert "ales@example.org" in organiser_client.get(url).text  # a pending invitation
    send_link = invitation_link(engine, settings, smtp, "ales@example.org")
    mail = [m for m in smtp.messages if "ales@example.org" in str(m["To"])][-1]
    assert "You join Test organisation as data steward." in mail.get_body(("plain",)).get_content()
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as invitee:
        assert "You join Test organisation as data steward." in invitee.get(send_link).text
        done = accept(invitee, send_link)
        # A steward sees supporters' names: two-factor login comes first.
        assert done.headers["location"] == "/account/two-factor"
    assert role_of(engine, "ales@example.org") == "steward"


def test_an_owner_adds_an_existing_account_changes_its_role_and_removes_it(
    organiser_client: TestClient, engine: Engine
) -> None:
    colleague = add_user(engine, "colleague@example.org")  # owner of the tests' organisation
    partner = organisation(engine, "Partner group")
    make_member(engine, colleague.id, role=OrgRole.viewer, name="Partner group")
    url = members_url(engine)
    assert role_of(engine, "colleague@example.org") == "owner"
    changed = post(organiser_client, f"{url}/members/{colleague.id}/role", role="viewer")
    assert changed.status_code == 303
    assert role_of(engine, "colleague@example.org") == "viewer"
    newcomer = add_user(engine, "newcomer@example.org")
    with Session(engine) as session:
        session.delete(session.get(Membership, (organisation(engine), newcomer.id)))
        session.commit()
    added = post(
        organiser_client, f"{url}/members", email="Newcomer@example.org", role="campaigner"
    )
    assert added.status_code == 303
    assert role_of(engine, "newcomer@example.org") == "campaigner"
    again = post(organiser_client, f"{url}/members", email="newcomer@example.org", role="viewer")
    assert again.status_code == 400 and "is a member already" in again.text
    removed = post(organiser_client, f"{url}/members/{colleague.id}/remove")
    assert removed.status_code == 303
    assert role_of(engine, "colleague@example.org") is None
    assert role_of(engine, "colleague@example.org", "Partner group") == "viewer"  # elsewhere kept
    assert partner
    with Session(engine) as session:
        trail = session.exec(
            select(AuditEvent.action).where(AuditEvent.organisation_id == organisation(engine))
        ).all()
    assert {
        "organisation.role_changed",
        "organisation.member_added",
        "organisation.member_removed",
    } <= set(trail)


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    organiser_client: TestClient, engine: Engine, organiser: User
) -> None:
    url = members_url(engine)
    demoted = post(organiser_client, f"{url}/members/{organiser.id}/role", role="viewer")
    assert demoted.status_code == 303
    assert role_of(engine, organiser.email) == "owner"
    removed = post(organiser_client, f"{url}/members/{organiser.id}/remove")
    assert removed.status_code == 303
    assert role_of(engine, organiser.email) == "owner"
    page = organiser_client.get(url)
    assert "at least one owner" in page.text


def test_an_owner_reads_only_their_own_organisations_trail(
    organiser_client: TestClient, engine: Engine
) -> None:
    ours = make_petition(engine, title="Free Maria")
    theirs = make_petition(
        engine, title="Free Ales", organisation_id=organisation(engine, "Partner group")
    )
    other_owner = add_user(engine, "other-owner@example.org")
    make_member(engine, other_owner.id, name="Partner group")
    assert organiser_client.get(f"/admin/petitions/{ours.id}/export/by-day.csv").status_code == 200
    organiser_client.cookies.clear()
    log_in(organiser_client, other_owner.email)
    organiser_client.get(f"/admin/petitions/{theirs.id}/export/by-day.csv")
    trail = organiser_client.get(
        f"/admin/organisations/{organisation(engine, 'Partner group')}/audit"
    )
    assert trail.status_code == 200 and "Audit trail of Partner group" in trail.text
    assert "Free Ales" in trail.text and "Free Maria" not in trail.text


def test_a_campaigner_may_not_manage_members(client: TestClient, engine: Engine) -> None:
    campaigner = add_user(engine, "campaigner@example.org")
    make_member(engine, campaigner.id, role=OrgRole.campaigner)
    log_in(client, campaigner.email)
    url = members_url(engine)
    refused = client.get(url)
    assert refused.status_code == 403 and "Test organisation: owner." in refused.text
    assert post(client, f"{url}/members", email="x@example.org", role="owner").status_code == 403
    assert client.get(f"{url}/audit").status_code == 403
    listing = client.get("/admin/organisations").text
    assert "Test organisation" in listing and f'href="{url}"' not in listing


def test_an_administrator_creates_an_organisation_with_its_first_owner(
    admin_client: TestClient, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    add_user(engine, "existing@example.org")
    made = post(admin_client, "/admin/organisations", name="Libereco", owner="existing@example.org")
    assert made.status_code == 303
    assert role_of(engine, "existing@example.org", "Libereco") == "owner"
    invited = post(admin_client, "/admin/organisations", name="Razam e.V.", owner="new@example.org")
    assert invited.status_code == 303
    invitation_link(engine, settings, smtp, "new@example.org")
    mail = [m for m in smtp.messages if "new@example.org" in str(m["To"])][-1]
    assert "You join Razam e.V. as owner." in mail.get_body(("plain",)).get_content()
    taken = post(admin_client, "/admin/organisations", name="Libereco", owner="a@example.org")
    assert taken.status_code == 400 and "exists already" in taken.text
    page = admin_client.get("/admin/organisations").text
    assert "Libereco" in page and "1 member" in page
    # Administrators create organisations; they do not manage the members of one they are not in.
    assert (
        admin_client.get(f"/admin/organisations/{organisation(engine, 'Libereco')}").status_code
        == 404
    )


def test_an_administrators_invitation_can_name_an_organisation_and_a_role(
    admin_client: TestClient, app: Any, engine: Engine, settings: Settings, smtp: SmtpServer
) -> None:
    group = organisation(engine, "Libereco")
    token = csrf_from(admin_client, "/admin/accounts")
    form = {"csrf_token": token, "email": "vera@example.org", "role": "organiser"}
    sent = admin_client.post(
        "/admin/accounts/invite", data={**form, "organisation_id": str(group), "org_role": "viewer"}
    )
    assert sent.status_code == 303
    assert "Libereco (viewer)" in admin_client.get("/admin/accounts").text
    link = invitation_link(engine, settings, smtp, "vera@example.org")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as invitee:
        assert accept(invitee, link).headers["location"] == "/admin"
    assert role_of(engine, "vera@example.org", "Libereco") == "viewer"
    bad = admin_client.post(
        "/admin/accounts/invite", data={**form, "email": "x@example.org", "organisation_id": "9999"}
    )
    assert bad.status_code == 400 and "Choose one of the organisations." in bad.text
    with Session(engine) as session:
        invited = session.exec(
            select(AuditEvent).where(AuditEvent.action == "account.invited")
        ).all()
    assert [e.organisation_id for e in invited] == [group]  # in Libereco's own trail


def test_a_refused_owner_address_creates_no_organisation(
    admin_client: TestClient, engine: Engine
) -> None:
    refused = post(admin_client, "/admin/organisations", name="Libereco", owner="not an address")
    assert refused.status_code == 400
    with Session(engine) as session:
        names = session.exec(select(Organisation.name)).all()
    assert "Libereco" not in names


def test_one_organisations_invitation_leaves_anothers_in_place(
    organiser_client: TestClient, engine: Engine
) -> None:
    other_owner = add_user(engine, "other-owner@example.org")
    make_member(engine, other_owner.id, name="Partner group")
    post(organiser_client, f"{members_url(engine)}/members", email="x@example.org", role="viewer")
    organiser_client.cookies.clear()
    log_in(organiser_client, other_owner.email)
    other = f"/admin/organisations/{organisation(engine, 'Partner group')}"
    post(organiser_client, f"{other}/members", email="x@example.org", role="steward")
    with Session(engine) as session:
        pending = session.exec(select(Invitation).where(Invitation.email == "x@example.org")).all()
    assert sorted(i.org_role for i in pending) == ["steward", "viewer"]


def test_a_stopped_owner_does_not_count_as_the_owner_who_stays(
    organiser_client: TestClient, engine: Engine, organiser: User
) -> None:
    stopped = add_user(engine, "stopped@example.org")  # an owner too
    with Session(engine) as session:
        row = session.get(User, stopped.id)
        row.is_active = False  # type: ignore[union-attr]
        session.add(row)
        session.commit()
    url = members_url(engine)
    post(organiser_client, f"{url}/members/{organiser.id}/role", role="viewer")
    assert role_of(engine, organiser.email) == "owner"  # the last owner who can log in
    post(organiser_client, f"{url}/members/{stopped.id}/remove")
    assert role_of(engine, "stopped@example.org") is None
